import type { MSKEvent } from 'aws-lambda';
import type { Redis } from 'ioredis';
import type { Aggregation } from '../../core/aggregation/aggregation.ts';
import { type BreakerSettings, CircuitBreaker, withRetries } from '../../core/aggregation/circuit-breaker.ts';
import {
  type PositionedEvent,
  partitionBatches,
  type RecordBatch,
} from '../../core/aggregation/msk-batch.ts';
import { connectRedis } from './connection.ts';
import type { SinkRetry } from './hot-aggregator-config.ts';
import { OffsetGate } from './offset-gate.ts';

export interface PartitionReport {
  readonly topic: string;
  readonly partition: number;
  readonly applied: number;
  readonly skipped: number;
  /** Records that are copies of an event already counted (a client's retry). */
  readonly copies: number;
  readonly undecodable: number;
  readonly roundTrips: number;
}

export type HotSink = (event: MSKEvent) => Promise<PartitionReport[]>;

/**
 * Feeds every topic-partition batch of an MSK event through the aggregator's offset gate.
 * Transient Redis errors are retried with backoff; repeated failure opens the breaker so the
 * invocation fails fast and the mapping retries the batch later, losing nothing.
 */
export function createHotSink<E extends { readonly offset: number } = PositionedEvent>(
  redis: Redis,
  aggregation: Aggregation<E>,
  options: {
    breaker: BreakerSettings;
    retry: SinkRetry;
    dedupWindowSeconds?: number;
    now?: () => number;
    /** How an MSK event becomes per-partition batches of decoded records. @default partitionBatches */
    batchesOf?: (event: MSKEvent) => RecordBatch<E>[];
  },
): HotSink {
  const gate = new OffsetGate(redis, aggregation, { dedupWindowSeconds: options.dedupWindowSeconds });
  const breaker = new CircuitBreaker(`redis/${aggregation.consumer}`, options.breaker);
  const now = options.now ?? Date.now;
  // Left out only for events.raw's aggregations, whose E is PositionedEvent.
  const batchesOf =
    options.batchesOf ?? (partitionBatches as unknown as (event: MSKEvent) => RecordBatch<E>[]);
  return async (event) => {
    const batches = batchesOf(event);
    return Promise.all(
      batches.map(async (batch) => {
        const outcome = await breaker.call(() => withRetries(() => gate.apply(batch, now()), options.retry));
        return {
          topic: batch.topic,
          partition: batch.partition,
          applied: outcome.applied,
          skipped: outcome.skipped,
          copies: outcome.copies,
          undecodable: batch.undecodable.length,
          roundTrips: outcome.roundTrips,
        };
      }),
    );
  };
}

export interface OpenHotSink {
  readonly sink: HotSink;
  close(): Promise<void>;
}

/** A sink with its own Redis connection, for one aggregator function's lifetime. */
export function openHotSink<E extends { readonly offset: number } = PositionedEvent>(
  config: { redis: { url: string }; breaker: BreakerSettings; retry: SinkRetry; dedupWindowSeconds?: number },
  aggregation: Aggregation<E>,
  batchesOf?: (event: MSKEvent) => RecordBatch<E>[],
): OpenHotSink {
  const redis = connectRedis(config.redis);
  return {
    sink: createHotSink(redis, aggregation, { ...config, ...(batchesOf ? { batchesOf } : {}) }),
    close: async () => {
      redis.disconnect();
    },
  };
}
