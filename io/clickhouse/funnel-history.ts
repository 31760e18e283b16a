import type { ClickHouseClient } from '@clickhouse/client';
import type { FunnelDefinition } from '../../core/aggregation/funnel-definition.ts';
import { dimensionSql } from '../../core/query/dimension.ts';
import { type Filter, filterSql } from '../../core/query/filter.ts';
import { spanWithin, warmEventRowsSql } from './event-rows.ts';

/** How many visitors reached each step of a funnel over a range, first step first. */
export type StepVisitors = number[];

/**
 * One condition per step over the warm table's columns: the type, a product when the step asks
 * for one, and each property as filters read it (core/query/dimension.ts), so a step matches
 * the rows the hot tier's stepMatches matches.
 */
function stepConditions(definition: FunnelDefinition): { sql: string[]; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const sql = definition.steps.map((step, i) => {
    params[`s${i}_type`] = step.type;
    const parts = [`type = {s${i}_type:String}`];
    if (step.withProduct) parts.push(`product_id != ''`);
    Object.entries(step.properties ?? {}).forEach(([name, value], j) => {
      const read = dimensionSql({ kind: 'property', name: `prop.${name}`, property: name }, `s${i}_p${j}`);
      Object.assign(params, read.params, { [`s${i}_v${j}`]: value });
      parts.push(`${read.sql} = {s${i}_v${j}:String}`);
    });
    return parts.join(' AND ');
  });
  return { sql, params };
}

/**
 * A funnel over the warm tier's event rows in [from, to), of the events passing every filter:
 * per visitor, the furthest step
 * reached by windowFunnel (steps in order, each within the funnel's window of the first step's
 * event, one event able to take consecutive steps at once, as core/aggregation/funnel-progress.ts
 * takes them), then the visitors at each step or beyond. A visitor counts once per step however
 * often they went through, where the hot tier counts attempts: history asks "how many people".
 * Bots and events without a visitor are left out, as the hot tier leaves them out.
 */
export async function readFunnelHistory(
  client: ClickHouseClient,
  project: string,
  definition: FunnelDefinition,
  range: { readonly fromMs: number; readonly toMs: number },
  filters: readonly Filter[] = [],
): Promise<StepVisitors> {
  const conditions = stepConditions(definition);
  const types = [...new Set(definition.steps.map((s) => s.type))];
  // Event rows (event-rows.ts), so `filter=` reads every dimension as the other routes read it:
  // the funnel of the events that pass every filter.
  const within = spanWithin('warm', range.fromMs, range.toMs);
  const filtered = filterSql(filters);
  const result = await client.query({
    query: `SELECT level, count() AS visitors
FROM (
  SELECT visitor,
         windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(ts)), ${conditions.sql.join(', ')}) AS level
  FROM (${warmEventRowsSql(within.sql, ['product_id'])})
  WHERE NOT is_bot AND visitor != '' AND type IN {types:Array(String)}
    ${filtered.conditions.map((c) => `AND ${c}`).join(' ')}
  GROUP BY visitor
)
WHERE level > 0
GROUP BY level`,
    query_params: {
      ...conditions.params,
      ...within.params,
      ...filtered.params,
      project,
      window_ms: definition.windowMs,
      types,
    },
    format: 'JSONEachRow',
  });
  const atLevel = new Map<number, number>();
  for (const row of await result.json<{ level: number | string; visitors: number | string }>())
    atLevel.set(Number(row.level), Number(row.visitors));
  // Reaching step k means a level of k + 1 or more.
  return definition.steps.map((_, k) => {
    let n = 0;
    for (const [level, visitors] of atLevel) if (level >= k + 1) n += visitors;
    return n;
  });
}
