import type { EnrichedEvent } from '../events/enriched-event.ts';
import { revenueMinorUnits, visitorOf } from './event-decoding.ts';
import type { PartitionBatch } from './msk-batch.ts';

/**
 * What one insert of the warm tier holds: the rows of one topic-partition batch, each with
 * its offset, bound for one table. The offsets drive the high-water guard and the token.
 */
export interface WarehouseBatch<R = object> {
  readonly table: string;
  readonly topic: string;
  readonly partition: number;
  readonly rows: readonly { readonly offset: number; readonly row: R }[];
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

/** Same batch, same token: ClickHouse drops a retried insert instead of storing it twice. */
export function deduplicationToken(topic: string, partition: number, first: number, last: number): string {
  return `${topic}-${partition}-${first}-${last}`;
}

/** An events.raw batch as rows of the `events` table. */
export function eventWarehouseBatch(batch: PartitionBatch): WarehouseBatch<WarehouseRow> {
  return {
    table: 'events',
    topic: batch.topic,
    partition: batch.partition,
    rows: batch.events.map(({ event, offset }) => ({
      offset,
      row: warehouseRow(event, batch.partition, offset, batch.topic),
    })),
  };
}
