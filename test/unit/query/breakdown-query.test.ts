import { describe, expect, it } from 'vitest';
import { InputError } from '../../../core/errors/spate-error.ts';
import { breakdownCsv, csvField } from '../../../core/query/breakdown-csv.ts';
import {
  addBreakdownRows,
  type BreakdownQuery,
  breakdownRows,
  breakdownSpans,
  breakdownSql,
  parseLimit,
} from '../../../core/query/breakdown-query.ts';
import { parseDimension } from '../../../core/query/dimension.ts';
import { filterSql, filtersKey, parseFilters, queryValues } from '../../../core/query/filter.ts';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 5, 15, 12, 30, 15);

function query(overrides: Partial<BreakdownQuery> = {}): BreakdownQuery {
  return {
    project: 'shop',
    metric: 'events',
    by: parseDimension('source', 'by'),
    filters: [],
    fromMs: NOW - DAY_MS,
    toMs: NOW,
    limit: 10,
    ...overrides,
  };
}

const span = { sql: 'SELECT * FROM rows', params: { warm_from: 1, warm_to: 2 } };

function thrown(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('nothing was thrown');
}

describe('dimensions', () => {
  it('accepts the fixed dimensions and prop.<name>, and names the parameter and the rule otherwise', () => {
    expect(parseDimension('country', 'by')).toEqual({ kind: 'fixed', name: 'country' });
    expect(parseDimension('prop.$plan-tier_2', 'by')).toEqual({
      kind: 'property',
      name: 'prop.$plan-tier_2',
      property: '$plan-tier_2',
    });
    const unknown = thrown(() => parseDimension('weather', 'by'));
    expect(unknown).toMatchObject({ status: 400, field: 'by', rule: 'enum' });
    expect(unknown.message).toMatch(/^by: must be one of type, source, .* or prop\.<name>/);
    expect(thrown(() => parseDimension(undefined, 'by'))).toMatchObject({ field: 'by', rule: 'required' });
    for (const bad of ['prop.', "prop.x'; DROP TABLE events --", 'prop.a.b', `prop.${'x'.repeat(65)}`])
      expect(thrown(() => parseDimension(bad, 'by'))).toMatchObject({ field: 'by', rule: 'pattern' });
  });
});

describe('filters', () => {
  it('reads every repeated filter from the raw query string, decoded as API Gateway decodes', () => {
    expect(queryValues('metric=events&filter=source%3Agoogle&filter=page:/a+b,c&by=os', 'filter')).toEqual([
      'source:google',
      'page:/a b,c',
    ]);
    expect(queryValues('by=os', 'filter')).toEqual([]);
  });

  it('splits at the first colon, so values may hold colons, and refuses a filter without one', () => {
    expect(parseFilters(['referrer:localhost:8080', 'campaign:'])).toEqual([
      { dimension: { kind: 'fixed', name: 'referrer' }, value: 'localhost:8080' },
      { dimension: { kind: 'fixed', name: 'campaign' }, value: '' },
    ]);
    expect(thrown(() => parseFilters(['google']))).toMatchObject({ field: 'filter', rule: 'format' });
    expect(thrown(() => parseFilters(['planet:mars']))).toMatchObject({ field: 'filter', rule: 'enum' });
    expect(thrown(() => parseFilters(Array(11).fill('os:Linux')))).toMatchObject({ rule: 'maxItems' });
  });

  it('puts every value and property name in query parameters, never in the SQL text', () => {
    const filters = parseFilters(["country:DE' OR 1=1 --", 'prop.plan:pro']);
    const part = filterSql(filters);
    expect(part.sql).not.toContain('DE');
    expect(part.sql).not.toContain('plan');
    expect(part.conditions).toEqual([
      '`country` = {filter_0_value:String}',
      expect.stringMatching(
        /JSONExtractString\(properties, \{filter_1_property:String\}\).* = \{filter_1_value:String\}$/,
      ),
    ]);
    expect(part.params).toEqual({
      filter_0_value: "DE' OR 1=1 --",
      filter_1_property: 'plan',
      filter_1_value: 'pro',
    });
    expect(filtersKey(filters)).toBe(filtersKey([...filters].reverse()));
  });
});

describe('breakdown statement', () => {
  it('groups by the dimension over every span, largest first, with the limit as a parameter', () => {
    const { sql, params } = breakdownSql(query(), [
      span,
      { sql: 'SELECT * FROM cold', params: { cold_from: 0 } },
    ]);
    expect(sql).toContain('SELECT `source` AS key, count() AS value');
    expect(sql).toContain('FROM (SELECT * FROM rows\nUNION ALL\nSELECT * FROM cold)');
    expect(sql).toMatch(/ORDER BY value DESC, key ASC\nLIMIT \{limit:UInt32\}$/);
    expect(sql).not.toContain('WHERE');
    expect(params).toEqual({ warm_from: 1, warm_to: 2, cold_from: 0, project: 'shop', limit: 10 });
  });

  it('counts orders and revenue of purchases only, revenue in one currency, visitors exactly', () => {
    expect(breakdownSql(query({ metric: 'orders' }), [span]).sql).toContain("WHERE type = 'purchase'\n");
    const revenue = breakdownSql(query({ metric: 'revenue', currency: 'USD' }), [span]);
    expect(revenue.sql).toContain('sum(revenue_minor) AS value');
    expect(revenue.sql).toContain("WHERE type = 'purchase' AND currency = {currency:String}");
    expect(revenue.params.currency).toBe('USD');
    expect(breakdownSql(query({ metric: 'visitors' }), [span]).sql).toContain(
      "uniqExactIf(visitor, NOT is_bot AND visitor != '') AS value",
    );
  });

  it('breaks down by a property named in a parameter, with the filters ANDed', () => {
    const q = query({
      by: parseDimension('prop.plan', 'by'),
      filters: parseFilters(['device:mobile', 'os:iOS']),
    });
    const { sql, params } = breakdownSql(q, [span]);
    expect(sql).toContain('JSONExtractString(properties, {by_property:String})');
    expect(sql).toContain('WHERE `device` = {filter_0_value:String} AND `os` = {filter_1_value:String}');
    expect(params).toMatchObject({ by_property: 'plan', filter_0_value: 'mobile', filter_1_value: 'iOS' });
  });

  it('answers numbers, revenue in major units', () => {
    expect(breakdownRows({ metric: 'revenue' }, [{ key: 'google', value: '4998' }])).toEqual([
      { key: 'google', value: 49.98 },
    ]);
    expect(breakdownRows({ metric: 'events' }, [{ key: '', value: '7' }])).toEqual([{ key: '', value: 7 }]);
  });

  it('takes a limit from 1 to 1000, 10 when absent', () => {
    expect(parseLimit(undefined)).toBe(10);
    expect(parseLimit('1000')).toBe(1000);
    for (const bad of ['0', '1001', '5.5', '-1', 'ten'])
      expect(thrown(() => parseLimit(bad))).toMatchObject({ field: 'limit', rule: 'range' });
  });

  it('adds rows of spans read apart per key, largest first, cut to the limit', () => {
    const rows = addBreakdownRows(
      [
        [
          { key: 'a', value: 5 },
          { key: 'b', value: 0.1 },
        ],
        [
          { key: 'b', value: 0.2 },
          { key: 'c', value: 5 },
        ],
      ],
      2,
    );
    expect(rows).toEqual([
      { key: 'a', value: 5 },
      { key: 'c', value: 5 },
    ]);
  });
});

describe('breakdown spans', () => {
  it('reads the last 30 days from the warm tier, the hot tier’s part included, and older from the archive', () => {
    expect(breakdownSpans({ fromMs: NOW - 3_600_000, toMs: NOW }, NOW)).toEqual([
      { tier: 'warm', fromMs: NOW - 3_600_000, toMs: NOW },
    ]);
    const spans = breakdownSpans({ fromMs: NOW - 40 * DAY_MS, toMs: NOW - 2 * DAY_MS }, NOW);
    expect(spans.map((s) => s.tier)).toEqual(['cold', 'warm']);
    expect(spans[0]!.toMs).toBe(spans[1]!.fromMs);
    expect(spans[1]!.fromMs - (NOW - 30 * DAY_MS)).toBeLessThanOrEqual(1000);
    // The last 30 days to the millisecond: the warm tier's alone, no sliver of the archive.
    for (const now of [NOW, NOW + 123]) {
      expect(breakdownSpans({ fromMs: now - 30 * DAY_MS, toMs: now }, now)).toEqual([
        { tier: 'warm', fromMs: now - 30 * DAY_MS, toMs: now },
      ]);
    }
    expect(breakdownSpans({ fromMs: NOW - 50 * DAY_MS, toMs: NOW - 40 * DAY_MS }, NOW)).toEqual([
      { tier: 'cold', fromMs: NOW - 50 * DAY_MS, toMs: NOW - 40 * DAY_MS },
    ]);
  });
});

describe('breakdown CSV', () => {
  it('writes a header row and quotes what needs quoting, and keeps formulas from running', () => {
    expect(
      breakdownCsv('campaign', 'orders', [
        { key: 'spring, "sale"', value: 3 },
        { key: '=HYPERLINK("x")', value: 2 },
        { key: '', value: 1 },
      ]),
    ).toBe('campaign,orders\r\n"spring, ""sale""",3\r\n"\'=HYPERLINK(""x"")",2\r\n,1\r\n');
    expect(csvField(-1.5)).toBe('-1.5');
  });
});
