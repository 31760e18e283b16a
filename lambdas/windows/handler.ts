import { windowsAggregation } from '../../core/aggregation/sliding-windows.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import { type AggregatorFunction, containerHandler, createHotAggregatorFunction } from '../hot-aggregator.ts';

/** Top-N and revenue buckets of events.raw that readers merge into 5-minute sliding windows. */
export function createWindowsFunction(config: HotAggregatorConfig): AggregatorFunction {
  return createHotAggregatorFunction('spate-windows', config, windowsAggregation);
}

export const handler = containerHandler(async () =>
  createWindowsFunction(await loadHotAggregatorConfig(process.env)),
);
