import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: string | null;
  readonly value: string;
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `done` says enough has
 * arrived (or the deadline passes), then leaves the group. Returns everything read.
 */
export async function readTopic(
  brokers: string[],
  topic: string,
  done: (records: readonly ReadRecord[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const kafka = new Kafka({ clientId: 'ingest-test-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `ingest-test-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, timeoutMs);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            records.push({
              topic,
              partition,
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? '',
            });
            if (done(records)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/**
 * Everything on `topic` up to its end as it is now: every partition's offsets are taken first and
 * the read goes on until that many records arrived, so a copy written before the call is seen.
 */
export async function readTopicToEnd(
  brokers: string[],
  topic: string,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const kafka = new Kafka({ clientId: 'ingest-test-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let total: number;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
  if (total === 0) return [];
  const records = await readTopic(brokers, topic, (rs) => rs.length >= total, timeoutMs);
  if (records.length < total) throw new Error(`read ${records.length} of the ${total} records on ${topic}`);
  return records;
}
