import type { ClickHouseClient } from '@clickhouse/client';
import type { Tally } from '../../core/aggregation/window-merge.ts';
import type { TopDimension } from '../../core/push/channels.ts';
import { type Filter, filterSql } from '../../core/query/filter.ts';
import { spanWithin, warmEventRowsSql } from './event-rows.ts';

/**
 * What each top list counts, over the warm table's event rows, as the hot tier's windows count
 * it (core/aggregation/sliding-windows.ts windowContributions): (member, weight) pairs of the
 * events of one type. A purchase counts each item's quantity (one where it says none), or its
 * product once when it lists no items.
 */
const TOP_PAIRS: Record<TopDimension, { readonly type: string; readonly pairs: string }> = {
  products: { type: 'page_view', pairs: '[(product_id, 1)]' },
  pages: { type: 'page_view', pairs: '[(page, 1)]' },
  // Enrichment names direct visits `(direct)`; a record without attribution is `(direct)` in the
  // hot tier's list too, where event rows write its source ''.
  referrers: { type: 'page_view', pairs: "[(if(source = '', '(direct)', source), 1)]" },
  carts: { type: 'add_to_cart', pairs: '[(product_id, 1)]' },
  purchases: {
    type: 'purchase',
    pairs: `if(JSONLength(items) > 0,
              arrayMap(item -> (JSONExtractString(item, 'product_id'),
                                ifNull(JSONExtract(item, 'quantity', 'Nullable(Int64)'), 1)),
                       JSONExtractArrayRaw(items)),
              [(product_id, 1)])`,
  },
};

/**
 * A top list of the events passing every filter over [from, to), from the warm tier's event
 * rows (the hot tier's windows keep no dimension): each member's weight, summed, as a tally.
 */
export async function readFilteredTop(
  client: ClickHouseClient,
  project: string,
  dimension: TopDimension,
  range: { readonly fromMs: number; readonly toMs: number },
  filters: readonly Filter[],
  limit: number,
): Promise<Tally> {
  const { type, pairs } = TOP_PAIRS[dimension];
  const within = spanWithin('warm', range.fromMs, range.toMs);
  const filtered = filterSql(filters);
  const result = await client.query({
    query: `SELECT pair.1 AS member, sum(pair.2) AS score
FROM (
  SELECT arrayJoin(${pairs}) AS pair
  FROM (${warmEventRowsSql(within.sql, ['product_id', 'items'])})
  WHERE type = {type:String} ${filtered.conditions.map((c) => `AND ${c}`).join(' ')}
)
WHERE member != ''
GROUP BY member
ORDER BY score DESC, member ASC
LIMIT {limit:UInt32}`,
    query_params: { ...within.params, ...filtered.params, project, type, limit },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ member: string; score: string | number }>();
  return new Map(rows.map((r) => [r.member, Number(r.score)]));
}
