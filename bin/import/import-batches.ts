import type { Unmappable } from '../../core/history/row-mapping.ts';
import { countReason, emptyTotals, type ImportTotals } from './import-tally.ts';

/** A place in the input: the byte offset after a row, and the line that row ended on. */
export interface Position {
  readonly offset: number;
  readonly line: number;
}

/**
 * Consecutive rows of the input, sent as one request: the messages (as JSON text) and the line
 * each came from, plus the rows it covers that could not be mapped. `end` is the position after
 * its last row: once this batch and all before it are answered, the input is done up to there.
 */
export interface ImportBatch {
  readonly seq: number;
  readonly messages: readonly string[];
  readonly lines: readonly number[];
  readonly bytes: number;
  readonly end: Position;
  /** Rows read and rows skipped; what the API answers is added once it answers. */
  readonly tally: ImportTotals;
}

export interface BatchLimits {
  readonly maxCount: number;
  /** Body bytes: the messages, their commas and the `{"batch":[...]}` around them. */
  readonly maxBytes: number;
}

const ENVELOPE_BYTES = Buffer.byteLength('{"batch":[]}');

/**
 * Cuts rows into batches under the ingest API's limits (count and body bytes), in input order.
 * Each call returns the batches it sealed, numbered from 0, for the caller to send.
 */
export class BatchBuilder {
  private seq = 0;
  private pending = this.fresh();

  constructor(private readonly limits: BatchLimits) {}

  /** Whether a message can be sent at all: alone in a batch, under the byte limit. */
  fitsAlone(json: string): boolean {
    return ENVELOPE_BYTES + Buffer.byteLength(json) <= this.limits.maxBytes;
  }

  add(json: string, line: number, end: Position): ImportBatch[] {
    const size = Buffer.byteLength(json);
    const sealed: ImportBatch[] = [];
    const withComma = ENVELOPE_BYTES + this.pending.bytes + 1 + size;
    if (this.pending.messages.length > 0 && withComma > this.limits.maxBytes) sealed.push(this.seal());
    const p = this.pending;
    p.bytes += (p.messages.length > 0 ? 1 : 0) + size;
    p.messages.push(json);
    p.lines.push(line);
    p.end = end;
    p.tally.rows += 1;
    if (p.messages.length >= this.limits.maxCount) sealed.push(this.seal());
    return sealed;
  }

  /** A row that is not sent; it still counts, and a long run of them is sealed to mark progress. */
  skip(reason: Unmappable, line: number, end: Position): ImportBatch[] {
    const p = this.pending;
    p.end = end;
    p.tally.rows += 1;
    p.tally.skipped += 1;
    countReason(p.tally.skips, reason.field, reason.rule, line, reason.message);
    return p.tally.rows >= this.limits.maxCount * 4 ? [this.seal()] : [];
  }

  /** Whatever is pending at the end of the input (possibly rows all skipped, or none at all). */
  flush(end: Position): ImportBatch[] {
    this.pending.end = end;
    return [this.seal()];
  }

  private seal(): ImportBatch {
    const p = this.pending;
    this.pending = this.fresh(p.end);
    return {
      seq: this.seq++,
      messages: p.messages,
      lines: p.lines,
      bytes: p.bytes + ENVELOPE_BYTES,
      end: p.end,
      tally: p.tally,
    };
  }

  private fresh(end: Position = { offset: 0, line: 0 }) {
    return { messages: [] as string[], lines: [] as number[], bytes: 0, end, tally: emptyTotals() };
  }
}
