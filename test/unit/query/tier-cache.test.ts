import { describe, expect, it } from 'vitest';
import type { QueryCache, TierReader } from '../../../core/query/metric-answer.ts';
import type { MetricQuery } from '../../../core/query/metric-query.ts';
import { cachedTierReader } from '../../../core/query/tier-cache.ts';

const q = (filters: MetricQuery['filters'] = []): MetricQuery => ({
  project: 'shop',
  metric: 'events',
  fromMs: 0,
  toMs: 3_600_000,
  stepSeconds: 3600,
  filters,
});

function memoryCache(): QueryCache & { keys: string[] } {
  const store = new Map<string, unknown>();
  return {
    keys: [] as string[],
    get: async (k) => store.get(k) as never,
    async set(k, v) {
      this.keys.push(k);
      store.set(k, v);
    },
  };
}

describe('a cached tier reader', () => {
  it('answers a repeat from the cache, keyed by the tier and the query with its filters', async () => {
    let reads = 0;
    const reader: TierReader = async () => {
      reads += 1;
      return new Map([[0, reads * 10]]);
    };
    const cache = memoryCache();
    const lookups: boolean[] = [];
    const cached = cachedTierReader('warm', reader, cache, async (hit) => {
      lookups.push(hit);
    });
    expect(await cached(q())).toEqual(new Map([[0, 10]]));
    expect(await cached(q())).toEqual(new Map([[0, 10]]));
    const country = { dimension: { kind: 'fixed', name: 'country' }, value: 'DE' } as const;
    expect(await cached(q([country]))).toEqual(new Map([[0, 20]]));
    expect(reads).toBe(2);
    expect(lookups).toEqual([false, true, false]);
    expect(cache.keys.every((k) => k.startsWith('warm|'))).toBe(true);
  });

  it('stores nothing when the tier fails, and reads on when the cache fails', async () => {
    const cache = memoryCache();
    const failing = cachedTierReader(
      'cold',
      async () => Promise.reject(new Error('down')),
      cache,
      async () => {},
    );
    await expect(failing(q())).rejects.toThrow('down');
    expect(cache.keys).toEqual([]);
    const broken: QueryCache = {
      get: async () => Promise.reject(new Error('redis down')),
      set: async () => Promise.reject(new Error('redis down')),
    };
    const reader = cachedTierReader(
      'cold',
      async () => new Map([[0, 1]]),
      broken,
      async () => {},
    );
    expect(await reader(q())).toEqual(new Map([[0, 1]]));
  });
});
