import { windowsAggregation } from '../../core/aggregation/sliding-windows.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import {
  type AggregatorFunction,
  type AggregatorHandler,
  createHotAggregatorFunction,
} from '../hot-aggregator.ts';
import { eventHandler, firstCallCore, functionTools } from '../spate-handler.ts';

const tools = functionTools('spate-windows');

/** Top-N and revenue buckets of events.raw that readers merge into 5-minute sliding windows. */
export function createWindowsFunction(config: HotAggregatorConfig): AggregatorFunction {
  return createHotAggregatorFunction(tools, config, windowsAggregation);
}

// Lambda entry: config and the Redis connection are made on the first invocation of a container.
export const handler: AggregatorHandler = eventHandler(
  tools,
  firstCallCore(async () => createWindowsFunction(await loadHotAggregatorConfig(process.env))),
);
