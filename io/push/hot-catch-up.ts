import type { Redis } from 'ioredis';
import { unreached, type Watermark } from '../../core/push/hot-watermarks.ts';
import { readHighWaters } from '../redis/hot-read-model.ts';

export interface CatchUpOptions {
  /** The longest the broadcaster waits for the aggregators before it reads what is there. */
  readonly timeoutMs: number;
  /** How often the gates are read again meanwhile. */
  readonly pollMs: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits until the hot-tier aggregators have applied the records a broadcaster batch carries
 * (their offset gates reach its offsets), so its frames show those records rather than
 * going out before they were counted and leaving them to the next push. An aggregator that is down
 * or far behind costs at most `timeoutMs`: the dashboard then gets what Redis holds.
 * Returns the watermarks still unreached (empty when caught up).
 */
export async function waitForHotTier(
  redis: Redis,
  watermarks: readonly Watermark[],
  options: CatchUpOptions,
): Promise<Watermark[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  let pending = [...watermarks];
  while (pending.length > 0) {
    const highWaters = await readHighWaters(redis, pending);
    pending = unreached(pending, highWaters);
    if (pending.length === 0 || now() >= deadline) break;
    await sleep(Math.min(options.pollMs, Math.max(0, deadline - now())));
  }
  return pending;
}
