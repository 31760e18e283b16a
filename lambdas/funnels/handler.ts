import { funnelsAggregation } from '../../core/aggregation/funnels.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import { type AggregatorFunction, containerHandler, createHotAggregatorFunction } from '../hot-aggregator.ts';

/** Per-visitor funnel progress, step counts and journeys of events.raw in the hot tier. */
export function createFunnelsFunction(config: HotAggregatorConfig): AggregatorFunction {
  return createHotAggregatorFunction('spate-funnels', config, funnelsAggregation(config.funnels));
}

export const handler = containerHandler(async () =>
  createFunnelsFunction(await loadHotAggregatorConfig(process.env)),
);
