import type { EnrichedEvent } from '../events/enriched-event.ts';
import { revenueMinorUnits, visitorOf } from './event-decoding.ts';
import type { RowIdentity } from './first-copies.ts';
import type { PartitionBatch } from './msk-batch.ts';

/** A row bound for the warm tier with where it came from and which event it is a copy of. */
export interface WarehouseEntry<R = object> {
  readonly offset: number;
  readonly row: R;
  readonly identity: RowIdentity;
  /** The row's `ts` (ClickHouse DateTime64 text): the day its table partition holds it under. */
  readonly ts: string;
}

/**
 * What one insert of the warm tier holds: the rows of one topic-partition batch, each with
 * its offset and identity, bound for one table. Identities decide which rows are stored (each
 * event once); the offsets of the rows stored make the insert's deduplication token.
 */
export interface WarehouseBatch<R = object> {
  readonly table: string;
  readonly topic: string;
  readonly partition: number;
  /** The table's columns for the identity: its scope (absent: every row's scope is '') and id. */
  readonly identityColumns: { readonly scope?: string; readonly id: string };
  readonly rows: readonly WarehouseEntry<R>[];
}

/** A row of the warm tier's `events` table (io/clickhouse/migrations/001-events.ts). */
export interface WarehouseRow {
  readonly event_id: string;
  readonly project: string;
  readonly type: string;
  /** `YYYY-MM-DD hh:mm:ss.sss` in UTC, ClickHouse's DateTime64 text form. */
  readonly ts: string;
  readonly received_at: string;
  readonly visitor: string;
  readonly user_id: string;
  readonly session_id: string;
  readonly source: string;
  readonly is_bot: boolean;
  readonly page_path: string;
  readonly page_url: string;
  readonly referrer: string;
  readonly product_id: string;
  readonly order_id: string;
  readonly revenue_minor: number;
  readonly currency: string;
  readonly items: string;
  readonly device_type: string;
  readonly browser: string;
  readonly os: string;
  readonly country: string;
  readonly attribution_source: string;
  readonly attribution_medium: string;
  readonly campaign: string;
  readonly properties: string;
  readonly kafka_topic: string;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

/** `YYYY-MM-DD hh:mm:ss.sss` in UTC, ClickHouse's DateTime64 text form. */
export function clickhouseTime(at: string | number): string {
  return new Date(at).toISOString().replace('T', ' ').replace('Z', '');
}

export function warehouseRow(
  event: EnrichedEvent,
  partition: number,
  offset: number,
  topic = 'events.raw',
): WarehouseRow {
  const order = event.type === 'purchase' ? event.order : null;
  return {
    event_id: event.event_id,
    project: event.project,
    type: event.type,
    ts: clickhouseTime(event.timestamp),
    received_at: clickhouseTime(event.received_at ?? event.timestamp),
    visitor: visitorOf(event) ?? '',
    user_id: event.user_id ?? '',
    session_id: event.session_id ?? '',
    source: event.source ?? 'spate',
    is_bot: event.is_bot === true,
    page_path: event.page?.path ?? '',
    page_url: event.page?.url ?? '',
    referrer: event.page?.referrer ?? '',
    product_id: event.product?.id ?? '',
    order_id: order?.id ?? '',
    revenue_minor: order ? revenueMinorUnits(order.revenue) : 0,
    currency: order?.currency ?? event.product?.currency ?? '',
    items: order?.items ? JSON.stringify(order.items) : '',
    device_type: event.user_agent?.device_type ?? 'unknown',
    browser: event.user_agent?.browser ?? '',
    os: event.user_agent?.os ?? '',
    country: event.geo?.country ?? '',
    attribution_source: event.attribution?.source ?? '',
    attribution_medium: event.attribution?.medium ?? '',
    campaign: event.attribution?.campaign ?? '',
    properties: event.properties ? JSON.stringify(event.properties) : '',
    kafka_topic: topic,
    kafka_partition: partition,
    kafka_offset: offset,
  };
}

/** FNV-1a over the offsets' decimal text, 32 bits from `basis`. */
function fnv1a(offsets: readonly number[], basis: number): string {
  let hash = basis;
  for (const offset of offsets) {
    const text = `${offset},`;
    for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The insert's deduplication token: the same rows, the same token, so ClickHouse drops a
 * retried insert instead of storing it twice. It names exactly the offsets sent (range, count
 * and a 64-bit digest of the list), not just their range: a retry after an insert that stored
 * some of its parts sends fewer rows of the same range, and a token naming only the range would
 * let ClickHouse drop those rows as a repeat of the parts already stored.
 */
export function deduplicationToken(topic: string, partition: number, offsets: readonly number[]): string {
  const first = offsets[0] ?? -1;
  const last = offsets[offsets.length - 1] ?? -1;
  const digest = `${fnv1a(offsets, 0x811c9dc5)}${fnv1a(offsets, 0x050c5d1f)}`;
  return `${topic}-${partition}-${first}-${last}-${offsets.length}-${digest}`;
}

/** An events.raw batch as rows of the `events` table. */
export function eventWarehouseBatch(batch: PartitionBatch): WarehouseBatch<WarehouseRow> {
  return {
    table: 'events',
    topic: batch.topic,
    partition: batch.partition,
    identityColumns: { scope: 'project', id: 'event_id' },
    rows: batch.events.map(({ event, offset }) => {
      const row = warehouseRow(event, batch.partition, offset, batch.topic);
      // Lower case: ClickHouse stores a UUID without its case and reads it back in lower case.
      return { offset, row, identity: { scope: row.project, id: row.event_id.toLowerCase() }, ts: row.ts };
    }),
  };
}
