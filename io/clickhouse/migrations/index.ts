import type { Migration } from '../migration.ts';
import { eventsTable } from './001-events.ts';
import { rollups } from './002-rollups.ts';
import { highWater } from './003-high-water.ts';
import { tweetsTable } from './004-tweets.ts';
import { warehouseIds } from './005-warehouse-ids.ts';
import { warehouseIdsTtl } from './006-warehouse-ids-ttl.ts';
import { tweetProjects } from './007-tweet-projects.ts';
import { projectFunnels } from './008-project-funnels.ts';
import { tweetRollupProjects } from './009-tweet-rollup-projects.ts';
import { breakdownProjections } from './010-breakdown-projections.ts';
import { warmMargin } from './011-warm-margin.ts';
import { dimensionDays } from './012-dimension-days.ts';

/** Every schema migration, in version order; applied at start, each at most once. */
export const MIGRATIONS: readonly Migration[] = [
  eventsTable,
  rollups,
  highWater,
  tweetsTable,
  warehouseIds,
  warehouseIdsTtl,
  tweetProjects,
  projectFunnels,
  tweetRollupProjects,
  breakdownProjections,
  warmMargin,
  dimensionDays,
];
