import { isoTime } from './iso-time.ts';

const MAX_FUTURE_MS = 24 * 3_600_000;
const EARLIEST_MS = Date.UTC(2000, 0, 1);
/** What Date's toISOString writes for a year from 2000 to 9999. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface CorrectedTime {
  readonly timestamp: string;
  readonly flag: 'future' | 'before_2000' | null;
}

/**
 * A device clock can be wrong by hours. When the client says when it sent the event (`sent_at`
 * by its own clock), the difference to our `received_at` is that error, and it is removed from
 * `timestamp`. Times still implausible after that are replaced by `received_at` and flagged.
 */
export function correctTimestamp(
  timestamp: string | undefined,
  sentAt: string | undefined,
  receivedAtMs: number,
): CorrectedTime {
  const receivedAt = isoTime(receivedAtMs);
  if (timestamp === undefined) return { timestamp: receivedAt, flag: null };
  let ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return { timestamp: receivedAt, flag: null };
  let corrected = false;
  if (sentAt !== undefined) {
    const sentMs = Date.parse(sentAt);
    if (!Number.isNaN(sentMs) && sentMs !== receivedAtMs) {
      ms += receivedAtMs - sentMs;
      corrected = true;
    }
  }
  if (ms > receivedAtMs + MAX_FUTURE_MS) return { timestamp: receivedAt, flag: 'future' };
  if (ms < EARLIEST_MS) return { timestamp: receivedAt, flag: 'before_2000' };
  // An uncorrected timestamp that is already in canonical UTC form is kept as sent. Every other
  // form is written canonically: stored times then sort as text in time order, which the
  // archive's readers rely on to skip what a range does not need (core/query/archive-scan.ts).
  if (!corrected && CANONICAL_UTC.test(timestamp)) return { timestamp, flag: null };
  return { timestamp: new Date(ms).toISOString(), flag: null };
}
