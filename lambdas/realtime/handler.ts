import { realtimeAggregation } from '../../core/aggregation/realtime-counters.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import {
  type AggregatorFunction,
  type AggregatorHandler,
  createHotAggregatorFunction,
} from '../hot-aggregator.ts';
import { eventHandler, firstCallCore, functionTools } from '../spate-handler.ts';

const tools = functionTools('spate-realtime');

export type { AggregatorFunction, AggregatorHandler } from '../hot-aggregator.ts';

/** Per-second counters, revenue and unique visitors of events.raw into the hot tier. */
export function createRealtimeFunction(config: HotAggregatorConfig): AggregatorFunction {
  return createHotAggregatorFunction(tools, config, realtimeAggregation);
}

// Lambda entry: config and the Redis connection are made on the first invocation of a container.
export const handler: AggregatorHandler = eventHandler(
  tools,
  firstCallCore(async () => createRealtimeFunction(await loadHotAggregatorConfig(process.env))),
);
