import { describe, expect, it } from 'vitest';
import { buildFailureRecord } from '../../../local/esm/failure-record.ts';
import type { RecordBatch } from '../../../local/esm/msk-event.ts';
import { buildMskEvent, localCluster } from '../../../local/esm/msk-event.ts';

const batch: RecordBatch = {
  topic: 'events.raw',
  partition: 2,
  records: ['7', '8', '9'].map((offset) => ({
    offset,
    timestamp: `170000000000${offset}`,
    timestampType: 'CREATE_TIME' as const,
    key: null,
    value: Buffer.from(`v${offset}`),
    headers: {},
  })),
};

describe('buildFailureRecord', () => {
  it('describes the batch, the error and carries the records', () => {
    const event = buildMskEvent(localCluster(['h:1']), batch);
    const record = buildFailureRecord(batch, event, {
      functionName: 'aggregate',
      consumerGroupId: 'spate-aggregate',
      requestId: 'req-1',
      attempts: 6,
      error: new TypeError('redis down'),
      now: new Date('2024-01-02T03:04:05.000Z'),
    });
    expect(record.source).toEqual({
      topic: 'events.raw',
      partition: 2,
      firstOffset: '7',
      lastOffset: '9',
      recordCount: 3,
    });
    expect(record.error).toEqual({ errorType: 'TypeError', errorMessage: 'redis down' });
    expect(record.functionName).toBe('aggregate');
    expect(record.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 6,
    });
    expect(record.KafkaBatchInfo.recordsInfo['events.raw-2']).toEqual({
      firstRecordOffset: '7',
      firstRecordTimestamp: '1700000000007',
      lastRecordOffset: '9',
      lastRecordTimestamp: '1700000000009',
    });
    expect(record.KafkaBatchInfo.payloadSize).toBe(Buffer.byteLength(JSON.stringify(event)));
    expect(record.payload).toEqual(event);
    expect(record.timestamp).toBe('2024-01-02T03:04:05.000Z');
  });

  it('keeps a thrown non-Error readable', () => {
    const event = buildMskEvent(localCluster(['h:1']), batch);
    const record = buildFailureRecord(batch, event, {
      functionName: 'f',
      consumerGroupId: 'g',
      requestId: 'r',
      attempts: 1,
      error: 'plain string',
      now: new Date(0),
    });
    expect(record.error).toEqual({ errorType: 'string', errorMessage: 'plain string' });
  });
});
