import { describe, expect, it } from 'vitest';
import { answerKey } from '../../../core/query/answer-key.ts';
import { type BreakdownQuery, DEFAULT_BREAKDOWN_LIMIT } from '../../../core/query/breakdown-query.ts';
import { parseDimension } from '../../../core/query/dimension.ts';
import { parseFilters } from '../../../core/query/filter.ts';

const query: BreakdownQuery = {
  project: 'shop',
  metric: 'revenue',
  by: parseDimension('campaign', 'by'),
  filters: parseFilters(['country:DE', 'device:mobile', 'prop.plan:pro']),
  fromMs: 1_000_000,
  toMs: 2_000_000,
  limit: DEFAULT_BREAKDOWN_LIMIT,
  currency: 'EUR',
};
const key = (q: BreakdownQuery, tiers: ('warm' | 'cold')[] = ['warm']) => answerKey('breakdown', tiers, q);

describe('the query cache key of a warm or cold answer', () => {
  it('reads the same filters in any order alike, and the fields of a question in any order', () => {
    const reordered = parseFilters(['prop.plan:pro', 'country:DE', 'device:mobile']);
    expect(key({ ...query, filters: reordered })).toBe(key(query));
    const { currency, limit, ...rest } = query;
    expect(key({ currency, ...rest, limit })).toBe(key(query));
  });

  it('tells apart every other parameter', () => {
    const others: BreakdownQuery[] = [
      { ...query, project: 'blog' },
      { ...query, metric: 'orders' },
      { ...query, by: parseDimension('source', 'by') },
      { ...query, by: parseDimension('prop.campaign', 'by') },
      { ...query, fromMs: query.fromMs + 1 },
      { ...query, toMs: query.toMs - 1 },
      { ...query, limit: query.limit + 1 },
      { ...query, currency: 'USD' },
      { ...query, filters: parseFilters(['country:FR', 'device:mobile', 'prop.plan:pro']) },
      { ...query, filters: parseFilters(['country:DE', 'device:mobile']) },
      { ...query, filters: parseFilters(['country:DE', 'device:mobile', 'prop.plan:pro', 'os:iOS']) },
      // A value and a dimension are not run together: `a:b:c` is not `a:b` with value `c`.
      { ...query, filters: parseFilters(['country:DE', 'device:mobile', 'prop.plan:pro:x']) },
    ];
    const keys = others.map((q) => key(q));
    expect(new Set(keys).size).toBe(others.length);
    expect(keys).not.toContain(key(query));
  });

  it('tells apart the tiers that read it and the answer it is', () => {
    expect(key(query, ['cold', 'warm'])).not.toBe(key(query));
    expect(key(query, ['cold'])).not.toBe(key(query));
    expect(answerKey('sessions', ['warm'], query)).not.toBe(key(query));
  });
});
