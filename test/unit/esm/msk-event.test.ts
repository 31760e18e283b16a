import { describe, expect, it } from 'vitest';
import type { FetchedRecord } from '../../../local/esm/msk-event.ts';
import { buildMskEvent, LOCAL_CLUSTER_ARN, localCluster, mskHeaders } from '../../../local/esm/msk-event.ts';

const record = (over: Partial<FetchedRecord> = {}): FetchedRecord => ({
  offset: '41',
  timestamp: '1700000000123',
  timestampType: 'CREATE_TIME',
  key: Buffer.from('user-1'),
  value: Buffer.from('{"type":"track"}'),
  headers: {},
  ...over,
});

describe('buildMskEvent', () => {
  const cluster = localCluster(['127.0.0.1:19092', 'localhost:19093']);

  it('shapes a batch as Lambda delivers an MSK event', () => {
    const event = buildMskEvent(cluster, {
      topic: 'events.raw',
      partition: 3,
      records: [record({ headers: { source: 'web', bin: Buffer.from([0, 255]) } })],
    });
    expect(event).toEqual({
      eventSource: 'aws:kafka',
      eventSourceArn: LOCAL_CLUSTER_ARN,
      bootstrapServers: '127.0.0.1:19092,localhost:19093',
      records: {
        'events.raw-3': [
          {
            topic: 'events.raw',
            partition: 3,
            offset: 41,
            timestamp: 1700000000123,
            timestampType: 'CREATE_TIME',
            key: Buffer.from('user-1').toString('base64'),
            value: Buffer.from('{"type":"track"}').toString('base64'),
            headers: [{ source: [119, 101, 98] }, { bin: [0, 255] }],
          },
        ],
      },
    });
    expect(event.eventSourceArn).toMatch(/^arn:aws:kafka:local:000000000000:cluster\/spate-local\//);
  });

  it('leaves the key out of a keyless record and keeps records in offset order', () => {
    const event = buildMskEvent(cluster, {
      topic: 't',
      partition: 0,
      records: [
        record({ offset: '1', key: null }),
        record({ offset: '2', timestampType: 'LOG_APPEND_TIME' }),
      ],
    });
    const records = event.records['t-0'] ?? [];
    expect(records.map((r) => r.offset)).toEqual([1, 2]);
    expect('key' in records[0]!).toBe(false);
    expect(records[1]!.timestampType).toBe('LOG_APPEND_TIME');
  });

  it('gives a tombstone an empty value', () => {
    const event = buildMskEvent(cluster, { topic: 't', partition: 0, records: [record({ value: null })] });
    expect(event.records['t-0']![0]!.value).toBe('');
  });

  it('rejects an empty batch and an offset past 2^53', () => {
    expect(() => buildMskEvent(cluster, { topic: 't', partition: 0, records: [] })).toThrow(/records/);
    expect(() =>
      buildMskEvent(cluster, { topic: 't', partition: 0, records: [record({ offset: '9007199254740993' })] }),
    ).toThrow(/offset/);
  });

  it('names the field when no broker is given', () => {
    expect(() => localCluster([])).toThrow(/brokers/);
  });
});

describe('mskHeaders', () => {
  it('gives every value of a repeated header its own entry and skips absent ones', () => {
    expect(mskHeaders({ h: ['a', Buffer.from('b')], gone: undefined })).toEqual([{ h: [97] }, { h: [98] }]);
  });
});
