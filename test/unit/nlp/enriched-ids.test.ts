import { describe, expect, it } from 'vitest';
import { EnrichedTweetIds } from '../../../containers/nlp/enriched-ids.ts';

describe('EnrichedTweetIds', () => {
  it('remembers the last ids up to its capacity, a re-remembered id counting as new', () => {
    const ids = new EnrichedTweetIds(3);
    ids.remember(['a', 'b', 'c']);
    ids.remember(['a']);
    ids.remember(['d']);
    expect(['a', 'b', 'c', 'd'].filter((id) => ids.has(id))).toEqual(['a', 'c', 'd']);
    expect(ids.size).toBe(3);
  });

  it('remembers nothing at capacity 0 and refuses a capacity that is not a whole number', () => {
    const none = new EnrichedTweetIds(0);
    none.remember(['a']);
    expect(none.has('a')).toBe(false);
    expect(() => new EnrichedTweetIds(-1)).toThrow(/capacity/);
    expect(() => new EnrichedTweetIds(1.5)).toThrow(/capacity/);
  });
});
