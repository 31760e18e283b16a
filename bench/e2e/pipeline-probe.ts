import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { counterFields, redisKeys } from '../../core/aggregation/redis-keys.ts';
import { TOPICS } from '../../core/topics.ts';
import type { LocalEndpoints } from '../../local/stack/endpoints.ts';

/** Watches the pipeline from outside: consumer lag per group, and event -> Redis latency. */
export class PipelineProbe {
  private readonly admin: Admin;
  private readonly redis: Redis;

  constructor(private readonly endpoints: LocalEndpoints) {
    this.admin = new Kafka({
      clientId: 'bench-probe',
      brokers: [endpoints.kafka],
      logLevel: logLevel.NOTHING,
    }).admin();
    this.redis = new Redis(endpoints.redis);
  }

  async open(): Promise<void> {
    await this.admin.connect();
  }

  /** Records on events.raw not yet committed by the realtime aggregator's group. */
  async lag(groupId = 'spate-realtime'): Promise<number> {
    const lags = await this.lagByGroup([groupId]);
    return lags[groupId] ?? 0;
  }

  /**
   * Records on events.raw not yet committed, per consumer group, against one read of the high
   * marks. A partition a group has never committed counts from offset 0, except for the groups
   * in `fromLatest` (mappings that start at LATEST), which owe nothing from before they joined.
   */
  async lagByGroup(
    groupIds: readonly string[],
    fromLatest: ReadonlySet<string> = new Set(),
  ): Promise<Record<string, number>> {
    const topic = TOPICS.eventsRaw.name;
    const [highs, ...committed] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      ...groupIds.map((groupId) => this.admin.fetchOffsets({ groupId, topics: [topic] })),
    ]);
    const out: Record<string, number> = {};
    groupIds.forEach((groupId, i) => {
      const done = new Map((committed[i]?.[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      const owed = (partition: number, high: number) => {
        const offset = done.get(partition) ?? -1;
        if (offset < 0) return fromLatest.has(groupId) ? 0 : high;
        return Math.max(0, high - offset);
      };
      out[groupId] = highs.reduce((sum, h) => sum + owed(h.partition, Number(h.high)), 0);
    });
    return out;
  }

  /**
   * Sends one event of a type of its own and times until the realtime aggregator has counted it
   * in Redis: the number a dashboard reads.
   */
  async eventToRedisMs(timeoutMs = 30_000): Promise<number> {
    const type = probeType();
    const now = Date.now();
    const minute = Math.floor(now / 60_000) * 60;
    const started = performance.now();
    const status = await sendProbeEvent(this.endpoints, type, now);
    if (status !== 200) throw new Error(`probe event refused with ${status}`);
    const key = redisKeys.counters(this.endpoints.project, 'm', minute);
    for (;;) {
      if (await this.redis.hget(key, counterFields.type(type))) return performance.now() - started;
      if (performance.now() - started > timeoutMs) return Number.POSITIVE_INFINITY;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
    this.redis.disconnect();
  }
}

/** An event type of its own per probe, so its count tells exactly when the probe was counted. */
export const probeType = (): string => `x_probe_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

/** Sends one probe event through the public endpoint; the response status. */
export async function sendProbeEvent(endpoints: LocalEndpoints, type: string, atMs: number): Promise<number> {
  const response = await fetch(`${endpoints.http}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${endpoints.writeKey}` },
    body: JSON.stringify({
      event_id: randomUUID(),
      type,
      user_id: 'bench-probe',
      timestamp: new Date(atMs).toISOString(),
    }),
  });
  await response.arrayBuffer();
  return response.status;
}
