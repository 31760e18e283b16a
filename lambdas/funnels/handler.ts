import type { Context, MSKEvent } from 'aws-lambda';
import { funnelsAggregation } from '../../core/aggregation/funnels.ts';
import { connectClickHouse } from '../../io/clickhouse/connection.ts';
import { ProjectFunnelStore } from '../../io/clickhouse/project-funnel-store.ts';
import { ProjectFunnelsCache } from '../../io/clickhouse/project-funnels-cache.ts';
import {
  type AggregatorFunction,
  type AggregatorHandler,
  createHotAggregatorFunction,
} from '../hot-aggregator.ts';
import { eventHandler, firstCallCore, functionTools } from '../spate-handler.ts';
import { type FunnelsConfig, loadFunnelsConfig } from './funnels-config.ts';

const tools = functionTools('spate-funnels');

/**
 * Per-visitor funnel progress, step counts and journeys of events.raw in the hot tier: the
 * deploy-time catalog's funnel and, where a store is configured, every funnel projects defined
 * at run time, read again at most once per TTL before a batch is planned.
 */
export function createFunnelsFunction(config: FunnelsConfig): AggregatorFunction {
  if (config.clickhouse === undefined)
    return createHotAggregatorFunction(tools, config, funnelsAggregation(config.funnels));
  const clickhouse = connectClickHouse(config.clickhouse);
  const projectFunnels = new ProjectFunnelsCache(
    new ProjectFunnelStore(clickhouse),
    config.projectFunnelsTtlMs,
  );
  const inner = createHotAggregatorFunction(
    tools,
    config,
    funnelsAggregation(config.funnels, projectFunnels),
  );
  const core = async (event: MSKEvent, context: Context) => {
    await projectFunnels.refresh();
    return inner.core(event, context);
  };
  return {
    handler: eventHandler(tools, core),
    core,
    async close() {
      await inner.close();
      await clickhouse.close();
    },
  };
}

// Lambda entry: config and the connections are made on the first invocation of a container.
export const handler: AggregatorHandler = eventHandler(
  tools,
  firstCallCore(async () => createFunnelsFunction(await loadFunnelsConfig(process.env))),
);
