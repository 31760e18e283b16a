import type { EnrichedEvent } from '../events/enriched-event.ts';
import { eventTimeMs } from './event-decoding.ts';

export type ArchiveFormat = 'ndjson.gz';

/**
 * `events/project=P/dt=YYYY-MM-DD/hour=HH/<topic>-<partition>-<first>-<last>.ndjson.gz`:
 * Hive-style partitions that ClickHouse's s3() and Athena both prune on, and a name made of
 * the offset range so a retried batch overwrites its own object instead of adding a copy.
 * Offsets are zero-padded so names sort in offset order.
 */
export function archiveKey(parts: {
  readonly prefix?: string;
  readonly project: string;
  readonly hourStartMs: number;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}): string {
  const iso = new Date(parts.hourStartMs).toISOString();
  const dt = iso.slice(0, 10);
  const hour = iso.slice(11, 13);
  const pad = (n: number) => String(n).padStart(20, '0');
  const name = `${parts.topic}-${parts.partition}-${pad(parts.firstOffset)}-${pad(parts.lastOffset)}.ndjson.gz`;
  return `${parts.prefix ?? 'events'}/project=${encodeURIComponent(parts.project)}/dt=${dt}/hour=${hour}/${name}`;
}

/** The archived row: the enriched event with where it came from, so replay keeps offsets. */
export interface ArchivedEvent extends EnrichedEvent {
  readonly kafka_topic: string;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

export interface ArchiveObject {
  readonly key: string;
  readonly rows: readonly ArchivedEvent[];
}

/** Groups one partition batch into objects per project and event hour. */
export function planArchiveObjects(
  batch: {
    readonly topic: string;
    readonly partition: number;
    readonly events: readonly { readonly offset: number; readonly event: EnrichedEvent }[];
  },
  prefix?: string,
): ArchiveObject[] {
  const groups = new Map<string, { project: string; hourStartMs: number; rows: ArchivedEvent[] }>();
  for (const { offset, event } of batch.events) {
    const ts = eventTimeMs(event);
    const hourStartMs = ts - (((ts % 3_600_000) + 3_600_000) % 3_600_000);
    const id = `${event.project}\u0000${hourStartMs}`;
    const group = groups.get(id) ?? { project: event.project, hourStartMs, rows: [] };
    group.rows.push({
      ...event,
      kafka_topic: batch.topic,
      kafka_partition: batch.partition,
      kafka_offset: offset,
    });
    groups.set(id, group);
  }
  return [...groups.values()].map((g) => ({
    key: archiveKey({
      prefix,
      project: g.project,
      hourStartMs: g.hourStartMs,
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: g.rows[0]!.kafka_offset,
      lastOffset: g.rows[g.rows.length - 1]!.kafka_offset,
    }),
    rows: g.rows,
  }));
}
