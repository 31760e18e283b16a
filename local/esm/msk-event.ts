import type { MSKEvent, MSKRecord, MSKRecordHeader } from 'aws-lambda';

/**
 * One record as the emulator fetched it, before it is shaped for the handler. Offsets and
 * timestamps stay strings here because Kafka's are 64-bit; the MSK event carries numbers.
 */
export interface FetchedRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>>;
}

/** A run of consecutive records of one topic-partition: what one invocation carries. */
export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly FetchedRecord[];
}

/**
 * The MSK record as Lambda delivers it. AWS leaves `key` out for a record without one,
 * which @types/aws-lambda does not model, hence the optional key here.
 */
export type MskRecordOut = Omit<MSKRecord, 'key'> & { key?: string };

export interface ClusterIdentity {
  readonly eventSourceArn: string;
  /** Comma-separated host:port list, as in the MSK event. */
  readonly bootstrapServers: string;
}

export const LOCAL_CLUSTER_ARN =
  'arn:aws:kafka:local:000000000000:cluster/spate-local/00000000-0000-0000-0000-000000000000-1';

export function localCluster(brokers: readonly string[]): ClusterIdentity {
  if (brokers.length === 0) throw new Error('brokers: must list at least one host:port');
  return { eventSourceArn: LOCAL_CLUSTER_ARN, bootstrapServers: brokers.join(',') };
}

/** `topic-partition`, the key MSK events group records under. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

function headerBytes(value: Buffer | string): number[] {
  return [...(typeof value === 'string' ? Buffer.from(value, 'utf8') : value)];
}

/** Kafka allows a header name more than once; MSK gives each occurrence its own entry. */
export function mskHeaders(headers: FetchedRecord['headers']): MSKRecordHeader[] {
  const out: MSKRecordHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value as Buffer | string];
    for (const v of values) out.push({ [name]: headerBytes(v) });
  }
  return out;
}

function toSafeNumber(field: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new Error(`${field}: ${text} is not an integer JavaScript can hold exactly`);
  return n;
}

export function mskRecord(topic: string, partition: number, record: FetchedRecord): MskRecordOut {
  const out: MskRecordOut = {
    topic,
    partition,
    offset: toSafeNumber('offset', record.offset),
    timestamp: toSafeNumber('timestamp', record.timestamp),
    timestampType: record.timestampType,
    // A tombstone (null value) arrives as an empty payload, the closest MSK has to null.
    value: (record.value ?? Buffer.alloc(0)).toString('base64'),
    headers: mskHeaders(record.headers),
  };
  if (record.key !== null) out.key = record.key.toString('base64');
  return out;
}

/**
 * The event the handler receives for one batch, field for field what Lambda sends for an
 * MSK event source mapping.
 */
export function buildMskEvent(cluster: ClusterIdentity, batch: RecordBatch): MSKEvent {
  if (batch.records.length === 0) throw new Error('records: a batch must hold at least one record');
  const records = batch.records.map((r) => mskRecord(batch.topic, batch.partition, r));
  // The cast only widens `key` to optional, which is how AWS sends a keyless record.
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: cluster.eventSourceArn,
    bootstrapServers: cluster.bootstrapServers,
    records: { [topicPartitionKey(batch.topic, batch.partition)]: records as MSKRecord[] },
  };
}
