import type { Context, ScheduledEvent } from 'aws-lambda';
import { utcDay } from '../../core/archive/compaction-plan.ts';
import { type CompactionReport, compactArchive } from '../../io/s3/compaction.ts';
import { connectCompaction, loadCompactionConfig } from '../../io/s3/compaction-config.ts';
import {
  type Core,
  eventHandler,
  firstCallCore,
  functionTools,
  type SpateHandler,
} from '../spate-handler.ts';

/** Leaves the last job this long before the timeout; an unfinished plan is the next run's. */
const MARGIN_MS = 120_000;

const tools = functionTools('spate-compact');

/** Config read, secret fetched and clients made on the first invocation of a container. */
async function createCompaction(): Promise<{ core: Core<ScheduledEvent, CompactionReport> }> {
  const config = await loadCompactionConfig(process.env);
  const deps = connectCompaction(config);
  return {
    core: async (event: ScheduledEvent, context: Context) => {
      const firedMs = Date.parse(event.time);
      const report = await compactArchive(deps, {
        beforeDay: utcDay(Number.isFinite(firedMs) ? firedMs : Date.now()),
        maxSources: config.maxSources,
        maxBytes: config.maxBytes,
        deadlineMs: Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS,
      });
      tools.logger.info('archive compacted', { ...report, written: report.written.length });
      return report;
    },
  };
}

/**
 * On a schedule (EventBridge): compacts the events archive (io/s3/compaction.ts) up to the UTC
 * day before the one the schedule fired on. Safe to run twice or alongside the archive function;
 * errors propagate, and the next run starts over from a new listing.
 */
export const handler: SpateHandler<ScheduledEvent, CompactionReport> = eventHandler(
  tools,
  firstCallCore(createCompaction),
);
