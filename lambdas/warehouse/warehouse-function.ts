import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import type { WarehouseBatch } from '../../core/aggregation/warehouse-row.ts';
import { METRICS_NAMESPACE, SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import type { WarehouseConfig } from '../../io/clickhouse/clickhouse-config.ts';
import { openWarehouseSink } from '../../io/clickhouse/warehouse-sink.ts';

export type WarehouseHandler = (event: MSKEvent, context: Context) => Promise<{ inserted: number }>;

export interface WarehouseFunction {
  readonly handler: WarehouseHandler;
  close(): Promise<void>;
}

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

/** A thin middy handler over a warehouse sink: decode, insert once, measure. */
export function createWarehouseFeedFunction(config: WarehouseConfig, feed: WarehouseFeed): WarehouseFunction {
  const logger = new Logger({ serviceName: `spate-${feed.name}` });
  // Metrics' own warnings go through the Logger, so POWERTOOLS_LOG_LEVEL governs them too.
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: `spate-${feed.name}`, logger });
  const sink = openWarehouseSink(config, feed.name);
  const handler = middy<MSKEvent, { inserted: number }>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const { batches, undecodable } = feed.batches(event);
      const inserted = await sink.write(batches);
      if (undecodable.length > 0)
        logger.warn('records that did not decode were counted and passed over', {
          offsets: undecodable.map((u) => u.offset),
          reason: undecodable[0]?.reason,
        });
      metrics.addMetric(SPATE_METRICS.warehouseRowsSent.name, MetricUnit.Count, inserted);
      return { inserted };
    });
  return { handler: handler as unknown as WarehouseHandler, close: () => sink.close() };
}
