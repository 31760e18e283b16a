import type { Rejection } from './ingest-error.ts';
import { isoTime } from './iso-time.ts';

/**
 * How far ahead of our clock an imported timestamp may be: the importing machine's clock, not a
 * phone's. Small, because an import has no `sentAt` worth correcting by (see importedTimestamp).
 */
export const IMPORT_FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * The earliest time any tier can hold: the warm tier's rollups bucket by 32-bit DateTime and
 * every tier keys days by Unix milliseconds, so earlier events would be stored wrong.
 */
export const EARLIEST_IMPORT_MS = Date.UTC(1970, 0, 1);
const EARLIEST_TEXT = new Date(EARLIEST_IMPORT_MS).toISOString();

/** Why an imported event's time was changed; the import's answer lists each one. */
export interface Clamp {
  readonly index: number;
  readonly field: 'timestamp';
  readonly rule: 'maxFutureSkew';
  readonly message: string;
}

export type ImportedTime =
  | { readonly ok: true; readonly timestamp: string; readonly clamped: boolean }
  | { readonly ok: false; readonly rejection: Rejection };

/**
 * The time of an event on `/v1/import`: history, so a past timestamp is kept as sent (in
 * canonical UTC form), however old, where the live guard (clock-skew.ts) would replace it. No
 * `sentAt` correction: the importer's clock today says nothing about the clocks that recorded
 * the history. A timestamp beyond the tolerance ahead of `received_at` cannot be history and is
 * clamped to `received_at`, and the caller reports it. The format is validated before this.
 */
export function importedTimestamp(
  timestamp: string | undefined,
  receivedAtMs: number,
  index: number,
): ImportedTime {
  const receivedAt = isoTime(receivedAtMs);
  if (timestamp === undefined) return { ok: true, timestamp: receivedAt, clamped: false };
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) {
    const message = `timestamp ${timestamp} is not a date-time`;
    return { ok: false, rejection: { index, field: 'timestamp', rule: 'format', message } };
  }
  if (ms < EARLIEST_IMPORT_MS) {
    const message = `timestamp ${timestamp} is before ${EARLIEST_TEXT}, the earliest time Spate stores`;
    return { ok: false, rejection: { index, field: 'timestamp', rule: 'minimum', message } };
  }
  if (ms > receivedAtMs + IMPORT_FUTURE_TOLERANCE_MS)
    return { ok: true, timestamp: receivedAt, clamped: true };
  return { ok: true, timestamp: new Date(ms).toISOString(), clamped: false };
}

/** The answer's entry for an event whose timestamp was clamped to when it was received. */
export function futureClamp(index: number, timestamp: string, receivedAt: string): Clamp {
  return {
    index,
    field: 'timestamp',
    rule: 'maxFutureSkew',
    message: `timestamp ${timestamp} is more than ${IMPORT_FUTURE_TOLERANCE_MS / 60_000} minutes after the import received it; stored as ${receivedAt}`,
  };
}
