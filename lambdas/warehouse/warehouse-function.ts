import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent } from 'aws-lambda';
import type { WarehouseBatch } from '../../core/aggregation/warehouse-row.ts';
import { SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import type { WarehouseConfig } from '../../io/clickhouse/clickhouse-config.ts';
import { openWarehouseSink } from '../../io/clickhouse/warehouse-sink.ts';
import { eventHandler, type FunctionTools, type SpateFunction, type SpateHandler } from '../spate-handler.ts';

export type WarehouseHandler = SpateHandler<MSKEvent, { inserted: number }>;

export type WarehouseFunction = SpateFunction<MSKEvent, { inserted: number }>;

/** What differs between the functions that write the warm tier: their name and their rows. */
export interface WarehouseFeed {
  /** The function's name (its mapping's functionName), for logs, metrics and the breaker. */
  readonly name: string;
  /** The MSK event as one table batch per topic-partition, with the records that did not decode. */
  readonly batches: (event: MSKEvent) => {
    readonly batches: readonly WarehouseBatch[];
    readonly undecodable: readonly { readonly offset: number; readonly reason: string }[];
  };
}

/** A thin handler over a warehouse sink: decode, insert once, measure. */
export function createWarehouseFeedFunction(
  tools: FunctionTools,
  config: WarehouseConfig,
  feed: WarehouseFeed,
): WarehouseFunction {
  const { logger, metrics } = tools;
  const sink = openWarehouseSink(config, feed.name);
  const core = async (event: MSKEvent) => {
    const { batches, undecodable } = feed.batches(event);
    const inserted = await sink.write(batches);
    if (undecodable.length > 0)
      logger.warn('records that did not decode were counted and passed over', {
        offsets: undecodable.map((u) => u.offset),
        reason: undecodable[0]?.reason,
      });
    metrics.addMetric(SPATE_METRICS.warehouseRowsSent.name, MetricUnit.Count, inserted);
    return { inserted };
  };
  return { handler: eventHandler(tools, core), core, close: () => sink.close() };
}
