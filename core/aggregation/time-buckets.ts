/** Bucket starts are whole epoch seconds; a bucket is named by its start. */
export const SECOND = 1;
export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;

/** Top-N windows are built from buckets this long and merged on read. */
export const WINDOW_BUCKET_SECONDS = 10;
/** The sliding window of the windows aggregator. */
export const WINDOW_SECONDS = 300;
/** How long the hot tier keeps a bucket after the bucket ends. */
export const HOT_TTL_SECONDS = DAY;

export function bucketStart(epochMs: number, sizeSeconds: number): number {
  const seconds = Math.floor(epochMs / 1000);
  return seconds - (seconds % sizeSeconds);
}

/** Bucket starts covering [fromSec, toSec), oldest first. */
export function bucketsBetween(fromSec: number, toSec: number, sizeSeconds: number): number[] {
  const out: number[] = [];
  const first = fromSec - (((fromSec % sizeSeconds) + sizeSeconds) % sizeSeconds);
  for (let b = first; b < toSec; b += sizeSeconds) out.push(b);
  return out;
}
