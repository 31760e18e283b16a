import { describe, expect, it } from 'vitest';
import { type AnswerStore, answerCache, beforeHotTier } from '../../../core/query/answer-cache.ts';
import { HOT_SPAN_MS } from '../../../core/query/metric-query.ts';

function memoryStore(): AnswerStore & { keys: string[] } {
  const kept = new Map<string, unknown>();
  return {
    keys: [],
    get: async (k) => kept.get(k),
    async set(k, v) {
      this.keys.push(k);
      kept.set(k, JSON.parse(JSON.stringify(v)));
    },
  };
}

describe('the query cache of whole answers', () => {
  it('answers a repeat from the store, and counts each lookup', async () => {
    const store = memoryStore();
    const lookups: boolean[] = [];
    const cached = answerCache(store, async (hit) => {
      lookups.push(hit);
    });
    let reads = 0;
    const read = async () => ({ rows: [{ key: 'DE', value: ++reads }], degraded: [] as string[] });
    expect(await cached('k', read)).toEqual({ rows: [{ key: 'DE', value: 1 }], degraded: [] });
    expect(await cached('k', read)).toEqual({ rows: [{ key: 'DE', value: 1 }], degraded: [] });
    expect(await cached('other', read)).toEqual({ rows: [{ key: 'DE', value: 2 }], degraded: [] });
    expect(lookups).toEqual([false, true, false]);
  });

  it('reads without a lookup when there is no key', async () => {
    const store = memoryStore();
    const lookups: boolean[] = [];
    const cached = answerCache(store, async (hit) => {
      lookups.push(hit);
    });
    let reads = 0;
    await cached(undefined, async () => ++reads);
    await cached(undefined, async () => ++reads);
    expect(reads).toBe(2);
    expect(lookups).toEqual([]);
    expect(store.keys).toEqual([]);
  });

  it('keeps neither an answer that is not whole nor a failed read', async () => {
    const store = memoryStore();
    const cached = answerCache(store, async () => {});
    const degraded = { rows: [], degraded: ['cold'] };
    expect(
      await cached(
        'k',
        async () => degraded,
        (a) => a.degraded.length === 0,
      ),
    ).toEqual(degraded);
    await expect(cached('k', async () => Promise.reject(new Error('warm down')))).rejects.toThrow(
      'warm down',
    );
    expect(store.keys).toEqual([]);
  });

  it('reads on when the store or the hit-rate recorder fails', async () => {
    const broken: AnswerStore = {
      get: async () => Promise.reject(new Error('redis down')),
      set: async () => Promise.reject(new Error('redis down')),
    };
    const cached = answerCache(broken, async () => Promise.reject(new Error('redis down')));
    expect(await cached('k', async () => 7)).toBe(7);
  });

  it("keeps answers only of ranges that end before the hot tier's day", () => {
    const now = 100 * HOT_SPAN_MS + 12_345;
    expect(beforeHotTier({ toMs: now - HOT_SPAN_MS }, now)).toBe(true);
    expect(beforeHotTier({ toMs: now - HOT_SPAN_MS + 1 }, now)).toBe(false);
    expect(beforeHotTier({ toMs: now }, now)).toBe(false);
  });
});
