import { realtimeAggregation } from '../../core/aggregation/realtime-counters.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import { type AggregatorFunction, containerHandler, createHotAggregatorFunction } from '../hot-aggregator.ts';

export type { AggregatorFunction, AggregatorHandler } from '../hot-aggregator.ts';

/** Per-second counters, revenue and unique visitors of events.raw into the hot tier. */
export function createRealtimeFunction(config: HotAggregatorConfig): AggregatorFunction {
  return createHotAggregatorFunction('spate-realtime', config, realtimeAggregation);
}

export const handler = containerHandler(async () =>
  createRealtimeFunction(await loadHotAggregatorConfig(process.env)),
);
