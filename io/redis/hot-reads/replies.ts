/**
 * A pipeline's replies as values, in the order the commands were queued; the first error is
 * thrown, so a reader never mistakes a failed read for an empty bucket.
 */
export function repliesOf<T>(replies: Array<[Error | null, unknown]> | null): T[] {
  return (replies ?? []).map(([err, value]) => {
    if (err) throw err;
    return value as T;
  });
}

/** Epoch seconds, [from, to). */
export interface SecondRange {
  readonly fromSec: number;
  readonly toSec: number;
}

/** The `seconds` up to and including the second of `nowMs`: a live panel's sliding window. */
export function lastSeconds(nowMs: number, seconds: number): SecondRange {
  const nowSec = Math.floor(nowMs / 1000);
  return { fromSec: nowSec - seconds + 1, toSec: nowSec + 1 };
}
