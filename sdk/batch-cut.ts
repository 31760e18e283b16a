import type { SdkEvent } from './types.ts';

const utf8 = new TextEncoder();

/** Bytes of `value` as JSON on the wire (UTF-8), which is what the server's body limit counts. */
export function jsonBytes(value: unknown): number {
  return utf8.encode(JSON.stringify(value)).length;
}

/**
 * How many of the oldest queued events go in the next request: at most `maxCount`, and no more
 * than fit in `maxBytes` of JSON array (with the `sent_at` each gets on sending). Always at least
 * one, so an event larger than the cap is still sent and judged by the server, not held forever.
 */
export function nextBatchSize(
  queue: readonly SdkEvent[],
  maxCount: number,
  maxBytes: number,
  sentAt: string,
): number {
  let bytes = 2; // []
  let count = 0;
  for (const event of queue) {
    if (count >= maxCount) break;
    const size = jsonBytes({ ...event, sent_at: sentAt }) + (count > 0 ? 1 : 0);
    if (count > 0 && bytes + size > maxBytes) break;
    bytes += size;
    count += 1;
  }
  return count;
}
