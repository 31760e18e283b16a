import { funnelsAggregation } from '../../core/aggregation/funnels.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import {
  type AggregatorFunction,
  type AggregatorHandler,
  createHotAggregatorFunction,
} from '../hot-aggregator.ts';
import { eventHandler, firstCallCore, functionTools } from '../spate-handler.ts';

const tools = functionTools('spate-funnels');

/** Per-visitor funnel progress, step counts and journeys of events.raw in the hot tier. */
export function createFunnelsFunction(config: HotAggregatorConfig): AggregatorFunction {
  return createHotAggregatorFunction(tools, config, funnelsAggregation(config.funnels));
}

// Lambda entry: config and the Redis connection are made on the first invocation of a container.
export const handler: AggregatorHandler = eventHandler(
  tools,
  firstCallCore(async () => createFunnelsFunction(await loadHotAggregatorConfig(process.env))),
);
