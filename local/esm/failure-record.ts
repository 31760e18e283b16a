import type { MSKEvent } from 'aws-lambda';
import type { RecordBatch } from './msk-event.ts';
import { topicPartitionKey } from './msk-event.ts';

/**
 * What lands on a mapping's on-failure topic once a batch has used up its retries. It
 * follows the invocation record Lambda sends to an on-failure destination for Kafka
 * sources (requestContext, responseContext, KafkaBatchInfo) and carries the batch itself
 * under `payload`, so the records can be replayed from here alone.
 */
export interface FailureRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetryAttemptsExhausted';
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: 200;
    readonly executedVersion: '$LATEST';
    readonly functionError: 'Unhandled';
  };
  readonly functionName: string;
  readonly consumerGroupId: string;
  readonly source: {
    readonly topic: string;
    readonly partition: number;
    readonly firstOffset: string;
    readonly lastOffset: string;
    readonly recordCount: number;
  };
  readonly error: { readonly errorType: string; readonly errorMessage: string };
  readonly KafkaBatchInfo: {
    readonly batchSize: number;
    readonly bootstrapServers: string;
    readonly consumerGroupId: string;
    readonly payloadSize: number;
    readonly recordsInfo: Record<
      string,
      {
        readonly firstRecordOffset: string;
        readonly firstRecordTimestamp: string;
        readonly lastRecordOffset: string;
        readonly lastRecordTimestamp: string;
      }
    >;
  };
  readonly payload: MSKEvent;
}

export interface FailureDetails {
  readonly functionName: string;
  readonly consumerGroupId: string;
  readonly requestId: string;
  readonly attempts: number;
  readonly error: unknown;
  readonly now: Date;
}

export function describeError(error: unknown): { errorType: string; errorMessage: string } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: typeof error, errorMessage: String(error) };
}

export function buildFailureRecord(
  batch: RecordBatch,
  event: MSKEvent,
  details: FailureDetails,
): FailureRecord {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  if (!first || !last) throw new Error('records: a failed batch must hold at least one record');
  const payloadSize = Buffer.byteLength(JSON.stringify(event));
  return {
    version: '1.0',
    timestamp: details.now.toISOString(),
    requestContext: {
      requestId: details.requestId,
      functionArn: `arn:aws:lambda:local:000000000000:function:${details.functionName}`,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: details.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    functionName: details.functionName,
    consumerGroupId: details.consumerGroupId,
    source: {
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: first.offset,
      lastOffset: last.offset,
      recordCount: batch.records.length,
    },
    error: describeError(details.error),
    KafkaBatchInfo: {
      batchSize: batch.records.length,
      bootstrapServers: event.bootstrapServers,
      consumerGroupId: details.consumerGroupId,
      payloadSize,
      recordsInfo: {
        [topicPartitionKey(batch.topic, batch.partition)]: {
          firstRecordOffset: first.offset,
          firstRecordTimestamp: first.timestamp,
          lastRecordOffset: last.offset,
          lastRecordTimestamp: last.timestamp,
        },
      },
    },
    payload: event,
  };
}
