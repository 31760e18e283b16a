import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { utcDay } from '../../core/archive/compaction-plan.ts';
import { type CompactionReport, compactArchive } from '../../io/s3/compaction.ts';
import {
  type CompactionConfig,
  connectCompaction,
  loadCompactionConfig,
} from '../../io/s3/compaction-config.ts';

const logger = new Logger({ serviceName: 'spate-compact' });
// Made on the first invocation of a container and reused.
let container: Promise<{ config: CompactionConfig; deps: ReturnType<typeof connectCompaction> }> | undefined;

/** Leaves the last job this long before the timeout; an unfinished plan is the next run's. */
const MARGIN_MS = 120_000;

/**
 * On a schedule (EventBridge): compacts the events archive (io/s3/compaction.ts) up to the UTC
 * day before the one the schedule fired on. Safe to run twice or alongside the archive function.
 */
export const handler = async (event: ScheduledEvent, context: Context): Promise<CompactionReport> => {
  container ??= loadCompactionConfig(process.env).then((config) => ({
    config,
    deps: connectCompaction(config),
  }));
  const { config, deps } = await container;
  const firedMs = Date.parse(event.time);
  const report = await compactArchive(deps, {
    beforeDay: utcDay(Number.isFinite(firedMs) ? firedMs : Date.now()),
    maxSources: config.maxSources,
    deadlineMs: Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS,
  });
  logger.info('archive compacted', { ...report, written: report.written.length });
  return report;
};
