import { FIXED_DIMENSIONS } from '../../../core/query/dimension.ts';
import type { Migration } from '../migration.ts';
import { BREAKDOWN_AGGREGATES, WARM_DIMENSION_SQL } from '../warm-dimensions.ts';

/**
 * Breakdowns over weeks of the warm tier, answered from a few thousand rows rather than
 * millions: one aggregate projection of `events` per fixed dimension, per project, day and
 * value (io/clickhouse/warm-dimensions.ts). A projection lives inside each part of the table,
 * written with its rows and merged and expired (the table's TTL) with them, so it is never out
 * of step with the rows: nothing to backfill by hand, nothing counted twice. MATERIALIZE builds
 * it for the parts written before, in the background; until a part has it, ClickHouse reads
 * that part's rows instead, so answers are the same throughout, only slower.
 */
export const breakdownProjections: Migration = {
  version: 10,
  name: 'breakdown projections',
  statements: FIXED_DIMENSIONS.flatMap((dimension) => [
    `ALTER TABLE events ADD PROJECTION IF NOT EXISTS breakdown_${dimension} (
       SELECT project, toDate(ts), ${WARM_DIMENSION_SQL[dimension]},
              ${Object.values(BREAKDOWN_AGGREGATES).join(', ')}
       GROUP BY project, toDate(ts), ${WARM_DIMENSION_SQL[dimension]})`,
    `ALTER TABLE events MATERIALIZE PROJECTION breakdown_${dimension}`,
  ]),
};
