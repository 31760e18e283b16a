import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { ArchivedEvent } from './archive-key.ts';

/**
 * Archived rows back into MSK events with their original topic, partition and offsets, so the
 * offset gates and deduplication tokens recognise what was already applied: replaying data
 * that was processed before changes nothing; replaying lost hot-tier data restores it.
 */
export function replayEvents(rows: readonly ArchivedEvent[], batchSize: number): MSKEvent[] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize: must be a positive integer, got ${batchSize}`);
  const byPartition = new Map<string, ArchivedEvent[]>();
  for (const row of rows) {
    const tp = `${row.kafka_topic}-${row.kafka_partition}`;
    const list = byPartition.get(tp) ?? [];
    list.push(row);
    byPartition.set(tp, list);
  }
  const out: MSKEvent[] = [];
  for (const [tp, list] of byPartition) {
    const seen = new Set<number>();
    const sorted = list
      .sort((a, b) => a.kafka_offset - b.kafka_offset)
      .filter((r) => !seen.has(r.kafka_offset) && seen.add(r.kafka_offset));
    for (let i = 0; i < sorted.length; i += batchSize) {
      const records: MSKRecord[] = sorted.slice(i, i + batchSize).map((row) => {
        const { kafka_topic, kafka_partition, kafka_offset, ...event } = row;
        return {
          topic: kafka_topic,
          partition: kafka_partition,
          offset: kafka_offset,
          timestamp: Date.parse(event.timestamp),
          timestampType: 'CREATE_TIME',
          key: Buffer.from(event.user_id ?? event.anonymous_id ?? '').toString('base64'),
          value: Buffer.from(JSON.stringify(event)).toString('base64'),
          headers: [],
        };
      });
      out.push({
        eventSource: 'aws:kafka',
        eventSourceArn: 'replay',
        bootstrapServers: '',
        records: { [tp]: records },
      });
    }
  }
  return out;
}

/** A record as read back from the topic, before it is shaped as the MSK record Lambda gets. */
export interface TopicRecord {
  readonly offset: number;
  readonly timestampMs: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Records of one topic-partition, in offset order, as MSK events of at most `batchSize`. */
export function replayTopicEvents(
  topic: string,
  partition: number,
  records: readonly TopicRecord[],
  batchSize: number,
): MSKEvent[] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize: must be a positive integer, got ${batchSize}`);
  const out: MSKEvent[] = [];
  for (let i = 0; i < records.length; i += batchSize) {
    const chunk: MSKRecord[] = records.slice(i, i + batchSize).map((r) => ({
      topic,
      partition,
      offset: r.offset,
      timestamp: r.timestampMs,
      timestampType: 'CREATE_TIME',
      key: (r.key ?? Buffer.alloc(0)).toString('base64'),
      value: (r.value ?? Buffer.alloc(0)).toString('base64'),
      headers: [],
    }));
    out.push({
      eventSource: 'aws:kafka',
      eventSourceArn: 'replay',
      bootstrapServers: '',
      records: { [`${topic}-${partition}`]: chunk },
    });
  }
  return out;
}
