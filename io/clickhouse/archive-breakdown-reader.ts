import type { ClickHouseClient } from '@clickhouse/client';
import { type ArchiveDayPlan, planArchiveDays } from '../../core/archive/day-breakdown-plan.ts';
import { sqlString } from '../../core/query/archive-scan.ts';
import {
  type BreakdownQuery,
  type BreakdownRow,
  type BreakdownSpan,
  breakdownRows,
} from '../../core/query/breakdown-query.ts';
import { dimensionSql } from '../../core/query/dimension.ts';
import { archiveDayBreakdownsSource, listProjectArchive } from './archive-day-breakdowns.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import {
  dimensionDaysRead,
  EVENT_ROW_PARTS,
  type PartReads,
  partsSql,
  warmDayReads,
} from './day-breakdown-reader.ts';
import { coldEventRowsSql } from './event-rows.ts';

const DAY_MS = 86_400_000;

/**
 * Whether `q` may be answered from the archive's day breakdowns where it has them: unfiltered (a
 * day's breakdown keeps one dimension), over more than a day (visitors are then estimated, as
 * over the warm tier's days), and reaching into the archive.
 */
export function readsArchiveDays(q: BreakdownQuery, spans: readonly BreakdownSpan[]): boolean {
  return q.filters.length === 0 && q.toMs - q.fromMs > DAY_MS && spans.some((s) => s.tier === 'cold');
}

/**
 * The statement of an unfiltered breakdown over the archive and the warm tier in one: the whole
 * archived days `plan` finds day breakdowns for from those, the rest of the archive's span from
 * its rows (each event id once), the warm tier's span by its own days (warmDayReads). Visitors
 * add up as sketch states, counts as sums.
 */
export function archiveDayBreakdownSql(
  q: BreakdownQuery,
  spans: readonly BreakdownSpan[],
  plan: ArchiveDayPlan,
  cold: ColdTierConfig,
) {
  const dimension = q.by;
  const parts: PartReads[] = [];
  const named = { project: q.project, dimension: dimension.name };
  const key = dimensionSql(dimension, 'property');
  if (plan.days.length > 0)
    parts.push({
      reads: [
        dimensionDaysRead(
          archiveDayBreakdownsSource(cold, plan.breakdownKeys),
          `day IN (${plan.days.map(sqlString).join(', ')})`,
          dimension,
          q.metric,
        ),
      ],
      params: { ...named, ...key.params },
    });
  plan.rowRanges.forEach((range, i) => {
    const within = `ts >= {archive${i}_from:DateTime64(3)} AND ts < {archive${i}_to:DateTime64(3)}`;
    parts.push({
      reads: [
        `SELECT ${key.sql} AS key, ${EVENT_ROW_PARTS[q.metric]} AS part
      FROM (${coldEventRowsSql(cold, { project: q.project, ...range }, within)})
      GROUP BY key`,
      ],
      params: {
        ...named,
        ...key.params,
        [`archive${i}_from`]: range.fromMs / 1000,
        [`archive${i}_to`]: range.toMs / 1000,
      },
    });
  });
  for (const span of spans) if (span.tier === 'warm') parts.push(warmDayReads(q, dimension, span));
  return partsSql(q, parts);
}

/**
 * `q` by the archive's day breakdowns where it has them (archiveDayBreakdownSql), or undefined
 * where it has none for the range (an archive not compacted yet): then the rows answer, exactly.
 * The archive's objects are listed first, as which days its breakdowns may answer depends on
 * what else lies there (core/archive/day-breakdown-plan.ts).
 */
export async function readArchiveDayBreakdown(
  client: ClickHouseClient,
  cold: ColdTierConfig,
  q: BreakdownQuery,
  spans: readonly BreakdownSpan[],
): Promise<BreakdownRow[] | undefined> {
  const archived = spans.find((s) => s.tier === 'cold');
  if (!archived) return undefined;
  const keys = await listProjectArchive(client, cold, q.project);
  const plan = planArchiveDays(cold.prefix, q.project, keys, archived);
  if (plan.days.length === 0) return undefined;
  const statement = archiveDayBreakdownSql(q, spans, plan, cold);
  const result = await client.query({
    query: statement.sql,
    query_params: statement.params,
    format: 'JSONEachRow',
  });
  return breakdownRows(q, await result.json<{ key: string; value: string | number }>());
}
