import type { Context, MSKEvent } from 'aws-lambda';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { MappingDefinition } from '../../core/mappings.ts';
import { createLambdaContext } from '../lambda/context.ts';
import { BatchWindows, decideBatch, recordEventBytes, takeBatch } from './batching.ts';
import type { FailureRecord } from './failure-record.ts';
import { buildFailureRecord, describeError } from './failure-record.ts';
import type { EsmLogger } from './logger.ts';
import type { MappingCounters } from './mapping-status.ts';
import type { ClusterIdentity, FetchedRecord, RecordBatch } from './msk-event.ts';
import { buildMskEvent } from './msk-event.ts';
import { pauseWithHeartbeat, withDeadline, withHeartbeat } from './pause.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { afterFailure, backoffDelayMs } from './retry-policy.ts';

export type MskHandler = (event: MSKEvent, context: Context) => Promise<unknown>;

export interface PartitionFeedDeps {
  readonly definition: MappingDefinition;
  readonly handler: MskHandler;
  readonly cluster: ClusterIdentity;
  readonly retry: RetryPolicy;
  readonly counters: MappingCounters;
  readonly logger: EsmLogger;
  readonly publishFailure: (record: FailureRecord) => Promise<void>;
  /** The function's timeout: a handler still running after it counts as failed, as on Lambda. */
  readonly timeoutMs: number;
  /** Aborted by stop(): waits end early and nothing further is committed. */
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

type Outcome = 'delivered' | 'sent-to-failure-topic' | 'stopped';

/** The timestamp type sits in the record batch header; kafkajs keeps it on each message. */
function timestampTypeOf(message: KafkaMessage): FetchedRecord['timestampType'] {
  const context = (message as { batchContext?: { timestampType?: number } }).batchContext;
  return context?.timestampType === 1 ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
}

export function fetchedRecord(message: KafkaMessage): FetchedRecord {
  return {
    offset: message.offset,
    timestamp: message.timestamp,
    timestampType: timestampTypeOf(message),
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
  };
}

/**
 * Feeds one mapping's handler from the batches kafkajs fetches, partition by partition.
 * Offsets are resolved and committed only after the handler accepted a batch, or after the
 * batch was written to the on-failure topic; anything left unresolved is fetched again.
 */
export class PartitionFeed {
  private readonly windows = new BatchWindows();
  private readonly now: () => number;

  constructor(private readonly deps: PartitionFeedDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** kafkajs `eachBatch`. It never throws for a handler error: those are retried here. */
  readonly eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const { definition, counters, signal } = this.deps;
    const fetchedAt = this.now();
    const records = batch.messages.map(fetchedRecord);
    const sizes = records.map(recordEventBytes);
    const head = records[0];
    if (!head) return;
    counters.observeLag(batch.partition, batch.highWatermark, head.offset);

    let start = 0;
    let behindFull = false;
    while (start < records.length) {
      if (signal.aborted || !payload.isRunning() || payload.isStale()) return;
      const { count, full } = takeBatch(sizes, start, definition.batchSize);
      // Behind a full batch, a short rest is only what this fetch held: kafkajs caps a fetch at
      // maxBytesPerPartition (8 MB) while a batch may take 6 MB, so a backlog shows as a full
      // batch and a short rest. With a window, fetch again at once; the rest keeps the window it
      // has waited in (carried below), so a backlog goes out in full batches rather than one per
      // window. Without one the rest goes now anyway, and fetching it again would be waste.
      if (behindFull && !full && definition.batchingWindowMs > 0) return;
      const slice = records.slice(start, start + count);
      const first = slice[0]!;
      const openedAt = this.windows.firstSeenAt(batch.partition, first.offset, fetchedAt);
      const decision = decideBatch(full, definition, openedAt, this.now());
      if (decision.kind === 'wait') {
        // Leaving the records unresolved makes kafkajs fetch them again after the wait,
        // together with whatever arrived behind them in the meantime.
        await pauseWithHeartbeat(decision.ms, signal, payload.heartbeat);
        return;
      }
      this.windows.close(batch.partition);

      const recordBatch: RecordBatch = { topic: batch.topic, partition: batch.partition, records: slice };
      const outcome = await this.deliver(recordBatch, payload);
      if (outcome === 'stopped') return;

      const last = slice[slice.length - 1]!;
      const nextOffset = (BigInt(last.offset) + 1n).toString();
      payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: nextOffset }] }],
      });
      counters.observeLag(batch.partition, batch.highWatermark, nextOffset);
      start += slice.length;
      behindFull = full;
      if (full && start < records.length)
        this.windows.carry(batch.partition, records[start]!.offset, openedAt);
    }
  };

  /** Invokes the handler with the batch's event until it succeeds or the retries run out. */
  private async deliver(batch: RecordBatch, payload: EachBatchPayload): Promise<Outcome> {
    const { definition, handler, cluster, retry, counters, logger, signal } = this.deps;
    let lastError: unknown;
    let lastRequestId = '';
    for (let attempt = 1; ; attempt += 1) {
      if (signal.aborted) return 'stopped';
      // An event of its own for each attempt, as each Lambda invocation deserializes its own,
      // so a handler that mutates its event cannot change the retry. Built again rather than
      // deep-copied: a structuredClone of every batch was 8 % of the emulator's CPU at 4,000/s.
      const event = buildMskEvent(cluster, batch);
      const context = createLambdaContext(definition.functionName, this.deps.timeoutMs);
      lastRequestId = context.awsRequestId;
      try {
        await withHeartbeat(
          () => withDeadline(() => handler(event, context), this.deps.timeoutMs),
          payload.heartbeat,
        );
        counters.state = 'running';
        counters.delivered(batch.records.length);
        return 'delivered';
      } catch (error) {
        lastError = error;
        const outcome = afterFailure(retry, attempt);
        const { errorMessage } = describeError(error);
        if (outcome.kind === 'give-up') break;
        counters.state = 'retrying';
        counters.retried(errorMessage);
        logger.warn('handler failed; retrying batch', {
          functionName: definition.functionName,
          topic: batch.topic,
          partition: batch.partition,
          attempt,
          delayMs: outcome.delayMs,
          error: errorMessage,
        });
        if (!(await pauseWithHeartbeat(outcome.delayMs, signal, payload.heartbeat))) return 'stopped';
      }
    }
    return this.sendToFailureTopic(batch, buildMskEvent(cluster, batch), lastError, lastRequestId, payload);
  }

  /** Keeps trying the on-failure write: committing past a batch that was not kept would lose it. */
  private async sendToFailureTopic(
    batch: RecordBatch,
    event: MSKEvent,
    error: unknown,
    requestId: string,
    payload: EachBatchPayload,
  ): Promise<Outcome> {
    const { definition, retry, counters, logger, signal, publishFailure } = this.deps;
    const record = buildFailureRecord(batch, event, {
      functionName: definition.functionName,
      consumerGroupId: definition.groupId,
      requestId,
      attempts: retry.maxRetries + 1,
      error,
      now: new Date(this.now()),
    });
    for (let attempt = 1; ; attempt += 1) {
      if (signal.aborted) return 'stopped';
      try {
        await publishFailure(record);
        counters.state = 'running';
        counters.sentToFailureTopic(record.error.errorMessage);
        logger.error('retries exhausted; batch sent to the on-failure topic', {
          functionName: definition.functionName,
          onFailureTopic: definition.onFailureTopic,
          ...record.source,
          error: record.error.errorMessage,
        });
        return 'sent-to-failure-topic';
      } catch (publishError) {
        const message = describeError(publishError).errorMessage;
        counters.noteError(`on-failure write: ${message}`);
        logger.error('could not write to the on-failure topic; trying again', {
          onFailureTopic: definition.onFailureTopic,
          error: message,
        });
        const delay = backoffDelayMs(
          { ...retry, maxRetries: Number.POSITIVE_INFINITY },
          Math.min(attempt, 20),
        );
        if (!(await pauseWithHeartbeat(delay, signal, payload.heartbeat))) return 'stopped';
      }
    }
  }
}
