import { statSync } from 'node:fs';
import type { ColumnMap } from '../../core/history/column-map.ts';
import {
  type FileShape,
  fileShape,
  guessFormat,
  type HistoryFormat,
  mapHistoryRecord,
} from '../../core/history/history-format.ts';
import type { RowMapping } from '../../core/history/row-mapping.ts';
import type { IngestLimits } from '../../core/limits/ingest-limits.ts';
import { AckWatermark } from './ack-watermark.ts';
import { BatchBuilder, type ImportBatch, type Position } from './import-batches.ts';
import { type ImportAnswer, sendMessages } from './import-sender.ts';
import { type ImportState, importFingerprint, readHead, readState, writeState } from './import-state.ts';
import { addTotals, countReason, emptyTotals, type ImportTotals } from './import-tally.ts';
import { isGzip, readCsvHeader, readRows, readTextHead } from './input-rows.ts';

export interface ImportOptions {
  readonly file: string;
  /** Guessed from the file's first row when not given. */
  readonly format?: HistoryFormat | undefined;
  readonly mappings: readonly string[];
  readonly map: ColumnMap;
  readonly delimiter?: string | undefined;
  readonly endpoint: string;
  readonly writeKey: string;
  readonly statePath: string;
  readonly restart: boolean;
  readonly batchSize: number;
  readonly concurrency: number;
  /** Rows per second at most; 0 sends as fast as the API answers. */
  readonly rate: number;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly limits: IngestLimits;
  readonly signal?: AbortSignal;
  readonly progressEveryMs?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly onNotice?: (text: string) => void;
}

/** Counts as they stand during the run, answered or not yet, for the progress line. */
export interface ImportProgress {
  readonly totals: ImportTotals;
  readonly inFlight: number;
  readonly offset: number;
  /** The file's size; undefined for gzip, whose decoded size is unknown until the end. */
  readonly fileBytes: number | undefined;
  readonly runRows: number;
  readonly elapsedMs: number;
}

export interface ImportReport {
  readonly file: string;
  readonly format: HistoryFormat;
  readonly endpoint: string;
  readonly statePath: string;
  /** `complete`: every row answered; `already-done`: a finished state was found, nothing sent. */
  readonly outcome: 'complete' | 'already-done' | 'aborted' | 'interrupted';
  readonly abortReason?: string;
  readonly resumedFrom?: Position;
  /** Where a next run goes on from. */
  readonly position: Position;
  /** Every row up to `position`, over all runs of this import. */
  readonly totals: ImportTotals;
  readonly run: {
    readonly rows: number;
    readonly sent: number;
    readonly accepted: number;
    readonly elapsedMs: number;
  };
}

/** The input cannot be read as the format it is said to be (no header, unknown format). */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/**
 * Imports a history file: reads it from the resume point, maps each row, sends batches to
 * `/v1/import` (a few in flight), and moves the resume point over each run of answered batches.
 */
export async function runImport(o: ImportOptions): Promise<ImportReport> {
  const startedMs = Date.now();
  const headText = await readTextHead(o.file);
  if (
    headText
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('[')
  )
    throw new InputError(
      `${o.file} is one JSON array; import reads one object a line: jq -c '.[]' FILE > FILE.ndjson`,
    );
  const format = o.format ?? guessFormat(headText);
  const shape: FileShape = format === 'csv' ? 'csv' : format === 'posthog' ? fileShape(headText) : 'ndjson';
  const url = `${o.endpoint.replace(/\/+$/, '')}/v1/import`;
  const fingerprint = importFingerprint(readHead(o.file), format, o.mappings, `${url}\0${o.writeKey}`);
  const previous = o.restart ? { none: '--restart' } : readState(o.statePath, fingerprint);
  if ('none' in previous && previous.none.includes('another file')) o.onNotice?.(previous.none);
  const state = 'state' in previous ? previous.state : undefined;
  const start = state?.position ?? { offset: 0, line: 0 };
  const base = addTotals(emptyTotals(), state?.totals ?? emptyTotals());
  const report = (outcome: ImportReport['outcome'], extra: Partial<ImportReport>): ImportReport => ({
    file: o.file,
    format,
    endpoint: o.endpoint,
    statePath: o.statePath,
    outcome,
    ...(state && start.offset > 0 ? { resumedFrom: start } : {}),
    position: start,
    totals: base,
    run: { rows: 0, sent: 0, accepted: 0, elapsedMs: Date.now() - startedMs },
    ...extra,
  });
  if (state?.done) return report('already-done', {});

  const csv = shape === 'csv' ? await readCsvHeader(o.file, o.delimiter) : undefined;
  if (shape === 'csv' && csv === undefined) throw new InputError(`${o.file} has no CSV header row`);

  const builder = new BatchBuilder({
    maxCount: Math.min(o.batchSize, o.limits.maxEventsPerRequest),
    // Half the body limit: room for a server configured tighter, and quick answers.
    maxBytes: Math.floor(o.limits.maxBodyBytes / 2),
  });
  const watermark = new AckWatermark<ImportBatch>();
  const committed = addTotals(emptyTotals(), base);
  const live = emptyTotals();
  const fileBytes = isGzip(o.file) ? undefined : statSync(o.file).size;
  const inFlight = new Set<Promise<void>>();
  let position = start;
  let readTo = start;
  let aborted: string | undefined;
  let savedMs = 0;

  const save = (done: boolean, force = false) => {
    if (!force && Date.now() - savedMs < 250) return;
    savedMs = Date.now();
    const next: ImportState = {
      version: 1,
      input: o.file,
      fingerprint,
      format,
      position,
      done,
      totals: committed,
      updatedAt: new Date().toISOString(),
    };
    writeState(o.statePath, next);
  };
  const progress = (): ImportProgress => ({
    totals: addTotals(addTotals(emptyTotals(), base), live),
    inFlight: inFlight.size,
    offset: readTo.offset,
    fileBytes,
    runRows: live.rows,
    elapsedMs: Date.now() - startedMs,
  });
  const ticker = o.onProgress
    ? setInterval(() => o.onProgress?.(progress()), o.progressEveryMs ?? 1000)
    : undefined;
  const pace = pacer(o.rate);
  const senderOptions = {
    url,
    writeKey: o.writeKey,
    retries: o.retries,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    onRetry: (why: string, delayMs: number) =>
      o.onNotice?.(`retrying in ${(delayMs / 1000).toFixed(1)} s: ${why}`),
  };

  const dispatch = async (batch: ImportBatch) => {
    while (inFlight.size >= o.concurrency) await Promise.race(inFlight);
    if (aborted !== undefined) return;
    await pace(batch.messages.length);
    live.sent += batch.messages.length;
    const sending = (async () => {
      if (batch.messages.length > 0)
        tallyAnswer(batch, await sendMessages(batch.messages, senderOptions), live);
      for (const done of watermark.complete(batch.seq, batch)) {
        addTotals(committed, done.tally);
        position = done.end;
      }
      save(false);
    })()
      .catch((err: Error) => {
        aborted ??= err.message;
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };

  let interrupted = false;
  try {
    for await (const row of readRows(o.file, shape, start, csv)) {
      if (o.signal?.aborted) interrupted = true;
      if (interrupted || aborted !== undefined) break;
      live.rows += 1;
      readTo = row.end;
      const mapped: RowMapping =
        'broken' in row ? { ok: false, reason: row.broken } : mapHistoryRecord(format, row.record, o.map);
      let sealed: ImportBatch[];
      if (!mapped.ok) {
        live.skipped += 1;
        sealed = builder.skip(mapped.reason, row.line, row.end);
      } else {
        const json = JSON.stringify(mapped.message);
        if (builder.fitsAlone(json)) {
          sealed = builder.add(json, row.line, row.end);
        } else {
          live.skipped += 1;
          const message = `the event is ${Buffer.byteLength(json)} bytes, over one request's limit`;
          sealed = builder.skip({ field: '$', rule: 'maxBodyBytes', message }, row.line, row.end);
        }
      }
      for (const batch of sealed) await dispatch(batch);
    }
    if (o.signal?.aborted) interrupted = true;
    if (!interrupted && aborted === undefined)
      for (const batch of builder.flush(readTo)) await dispatch(batch);
    while (inFlight.size > 0) await Promise.race(inFlight);
  } finally {
    if (ticker) clearInterval(ticker);
  }
  const complete = !interrupted && aborted === undefined && watermark.waiting === 0;
  save(complete, true);
  o.onProgress?.(progress());
  const outcome = complete ? 'complete' : interrupted ? 'interrupted' : 'aborted';
  return report(outcome, {
    ...(aborted !== undefined ? { abortReason: aborted } : {}),
    position,
    totals: committed,
    run: { rows: live.rows, sent: live.sent, accepted: live.accepted, elapsedMs: Date.now() - startedMs },
  });
}

/** Adds the route's answer to a batch's tally (by the line of each event it names) and to the live counts. */
export function tallyAnswer(batch: ImportBatch, answer: ImportAnswer, live: ImportTotals): void {
  const t = batch.tally;
  t.sent += batch.messages.length;
  t.accepted += answer.accepted;
  t.rejected += answer.errors.length;
  t.clamped += answer.clamped.length;
  for (const e of answer.errors)
    countReason(t.rejections, e.field, e.rule, batch.lines[e.index] ?? 0, e.message);
  for (const c of answer.clamped)
    countReason(t.clamps, c.field, c.rule, batch.lines[c.index] ?? 0, c.message);
  live.accepted += answer.accepted;
  live.rejected += answer.errors.length;
  live.clamped += answer.clamped.length;
}

/** Waits so that rows go out at `rate` per second at most (0: no limit). */
function pacer(rate: number): (rows: number) => Promise<void> {
  let nextMs = 0;
  return async (rows) => {
    if (rate <= 0) return;
    const now = Date.now();
    nextMs = Math.max(nextMs, now);
    const waitMs = nextMs - now;
    nextMs += (rows / rate) * 1000;
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  };
}
