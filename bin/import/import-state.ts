import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import type { HistoryFormat } from '../../core/history/history-format.ts';
import type { Position } from './import-batches.ts';
import { type ImportTotals, totalsFrom } from './import-tally.ts';

/**
 * Where an import of a file stands, kept next to it so that a run after a crash or Ctrl-C goes
 * on from there: every row before `position` was answered by the ingest API (or skipped), and
 * `totals` counts those rows. Rows after it may have been sent too: sending them again is
 * harmless, the event ids make them the same events.
 */
export interface ImportState {
  readonly version: 1;
  readonly input: string;
  /** The file's first bytes, its format, mapping and destination: a state for anything else is not resumed. */
  readonly fingerprint: string;
  readonly format: HistoryFormat;
  readonly position: Position;
  readonly done: boolean;
  readonly totals: ImportTotals;
  readonly updatedAt: string;
}

const HEAD_BYTES = 64 * 1024;

/** The default state file of an input: beside it, named after it. */
export function defaultStatePath(input: string): string {
  return `${input}.spate-import.json`;
}

/** The first bytes of a file (all of a small one). */
export function readHead(path: string, bytes = HEAD_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const read = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * What a state must match to be resumed: the same file (by its head), format, mappings and
 * destination (endpoint and write key, hashed with the rest: the key is not kept), so that an
 * import of the same file to another stack or project starts from its first row.
 */
export function importFingerprint(
  head: Buffer,
  format: HistoryFormat,
  mappings: readonly string[],
  destination = '',
): string {
  return createHash('sha256')
    .update(head)
    .update('\0')
    .update(format)
    .update('\0')
    .update(JSON.stringify([...mappings].sort()))
    .update('\0')
    .update(destination)
    .digest('hex');
}

/** The state at `path`, or why there is none to resume. */
export function readState(path: string, fingerprint: string): { state: ImportState } | { none: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { none: 'no state file' };
  }
  let value: Partial<ImportState>;
  try {
    value = JSON.parse(text);
  } catch {
    return { none: `${path} is not JSON` };
  }
  const position = value.position;
  const totals = totalsFrom(value.totals);
  const valid =
    value.version === 1 &&
    position !== undefined &&
    Number.isSafeInteger(position.offset) &&
    Number.isSafeInteger(position.line) &&
    totals !== undefined;
  if (!valid) return { none: `${path} is not an import state` };
  if (value.fingerprint !== fingerprint)
    return {
      none: `${path} is for another file, format, --map, endpoint or write key; starting from the first row`,
    };
  return { state: { ...(value as ImportState), totals } };
}

/** Writes the state whole or not at all: a crash mid-write leaves the previous one. */
export function writeState(path: string, state: ImportState): void {
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(partial, path);
}
