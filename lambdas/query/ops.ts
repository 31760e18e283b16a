import type { Admin } from 'kafkajs';
import { MAPPINGS } from '../../core/mappings.ts';
import { TOPICS } from '../../core/topics.ts';

export interface ConsumerLag {
  readonly group: string;
  readonly topic: string;
  readonly lag: number;
}

export interface KafkaOps {
  readonly lag: ConsumerLag[];
  readonly dlq: number;
  readonly mapping_failures: number;
}

function total(offsets: ReadonlyArray<{ offset: string }>): number {
  return offsets.reduce((sum, o) => sum + Math.max(0, Number(o.offset)), 0);
}

/**
 * Lag of every mapping's consumer group (end offset minus committed, summed over partitions),
 * and how many records sit in the dead-letter and mapping-failure topics.
 */
export async function readKafkaOps(admin: Admin): Promise<KafkaOps> {
  const topics = [...new Set(MAPPINGS.map((m) => m.topic))];
  const ends = new Map(
    await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)),
  );
  const lag = await Promise.all(
    MAPPINGS.map(async (m) => {
      const [committed] = await admin.fetchOffsets({ groupId: m.groupId, topics: [m.topic] });
      const end = ends.get(m.topic) ?? [];
      let behind = 0;
      for (const p of end) {
        const done = committed?.partitions.find((c) => c.partition === p.partition);
        const at = done && Number(done.offset) >= 0 ? Number(done.offset) : Number(p.low);
        behind += Math.max(0, Number(p.high) - at);
      }
      return { group: m.groupId, topic: m.topic, lag: behind };
    }),
  );
  const [dlq, failures] = await Promise.all([
    admin.fetchTopicOffsets(TOPICS.eventsDlq.name),
    admin.fetchTopicOffsets(TOPICS.mappingFailures.name),
  ]);
  return {
    lag,
    dlq: total(dlq.map((p) => ({ offset: String(Number(p.high) - Number(p.low)) }))),
    mapping_failures: total(failures.map((p) => ({ offset: String(Number(p.high) - Number(p.low)) }))),
  };
}
