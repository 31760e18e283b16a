import { HOT_SPAN_MS } from './metric-query.ts';
import type { CacheLookupRecorder } from './tier-cache.ts';

/** Where whole answers are kept, as JSON, for a short while (io/redis/answer-store.ts). */
export interface AnswerStore {
  /** The answer kept under `key`, or undefined. */
  get(key: string): Promise<unknown>;
  set(key: string, answer: unknown): Promise<void>;
}

/**
 * An answer read through the query cache: kept under `key`, when there is one, if `whole`
 * says it is (no tier degraded, nothing estimated after a failure). No key: read, not cached.
 */
export type CachedAnswer = <T>(
  key: string | undefined,
  read: () => Promise<T>,
  whole?: (answer: T) => boolean,
) => Promise<T>;

/** Every answer read afresh: for routes given no cache. */
export const uncached: CachedAnswer = (_key, read) => read();

/**
 * Whether a range lies wholly before the hot tier's day, so that a warm or cold answer over it
 * may be kept a few seconds. The last day changes every second (events arrive, the warm tier
 * trails the stream by its batch window): an answer reaching into it is always read afresh.
 */
export function beforeHotTier(range: { readonly toMs: number }, nowMs: number): boolean {
  return range.toMs <= nowMs - HOT_SPAN_MS;
}

/**
 * The query cache for whole warm and cold answers (breakdowns, sessions, funnel history, the
 * overview's stored parts), as core/query/tier-cache.ts is for a series' spans, counted in the
 * same hit rate. The cache is a help, never a dependency: a store that fails is a miss; a read
 * that fails throws before anything is stored, and an answer that is not whole is not stored,
 * so a degraded answer is never served again.
 */
export function answerCache(store: AnswerStore, recordLookup: CacheLookupRecorder): CachedAnswer {
  return async <T>(
    key: string | undefined,
    read: () => Promise<T>,
    whole: (answer: T) => boolean = () => true,
  ) => {
    if (key === undefined) return read();
    const hit = await store.get(key).catch(() => undefined);
    await recordLookup(hit !== undefined).catch(() => undefined);
    if (hit !== undefined) return hit as T;
    const answer = await read();
    if (whole(answer)) await store.set(key, answer).catch(() => undefined);
    return answer;
  };
}
