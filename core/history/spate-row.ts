import type { KnownEventType } from '../events/event-types.ts';
import { SPEC_EVENT_TYPES } from '../segment/spec-events.ts';
import { type ColumnMap, type RowField, sourceOf } from './column-map.ts';
import { rowEventId } from './row-event-id.ts';
import {
  asObject,
  compact,
  type ImportMessage,
  type Loose,
  type RowMapping,
  text,
  unmappable,
} from './row-mapping.ts';
import { rowTimestamp } from './row-timestamp.ts';

/** A row of a CSV or NDJSON file: a value by column name or key path, and what no field reads. */
export interface RowSource {
  get(source: string): unknown;
  /** Every column (CSV) or top-level key (NDJSON) that no field reads, for `properties`. */
  rest(map: ColumnMap): Loose;
}

/** Segment's spec event for each Spate type that has one: the route maps it back to that type. */
const SPEC_NAME: Readonly<Partial<Record<KnownEventType, string>>> = Object.fromEntries(
  Object.entries(SPEC_EVENT_TYPES)
    .filter(([, type]) => type !== 'page_view')
    .map(([name, type]) => [type, name]),
);

type Field = { ok: true; value: unknown } | { ok: false; mapping: RowMapping };

/**
 * A row in Spate's own event form (`/v1/events`: `type`, `user_id`, `page.url`, `order.revenue`,
 * ...), read through the column map, as the Segment message `/v1/import` maps back to the same
 * Spate event: `page_view` as a page call, the e-commerce types as Segment's spec events
 * (`purchase` as Order Completed), `x_<name>` as a track of `<name>`, any other type as a track
 * of that name (`Video Played` is stored as `x_video_played`). Columns no field reads go to
 * `properties` (a `properties.<name>` column as `<name>`), as text.
 */
export function mapSpateRow(row: RowSource, map: ColumnMap): RowMapping {
  const get = (field: RowField) => row.get(sourceOf(map, field));
  const type = text(get('type'));
  if (type === undefined) return unmappable('type', 'required', 'type is required');
  const rawTime = get('timestamp');
  if (text(rawTime) === undefined) return unmappable('timestamp', 'required', 'timestamp is required');
  const time = rowTimestamp(rawTime);
  if (!time.ok) return unmappable('timestamp', 'format', time.message);
  const userId = text(get('user_id'));
  const anonymousId = text(get('anonymous_id'));
  if (userId === undefined && anonymousId === undefined)
    return unmappable('user_id', 'required', 'user_id or anonymous_id is required');

  const properties = propertiesOf(row, map);
  if (!properties.ok) return properties.mapping;
  const price = numberField(get('product.price'), 'product.price');
  const revenue = numberField(get('order.revenue'), 'order.revenue');
  const items = jsonField(get('order.items'), 'order.items', 'array');
  for (const f of [price, revenue, items]) if (!f.ok) return f.mapping;

  const product = compact({
    product_id: text(get('product.id')),
    name: text(get('product.name')),
    category: text(get('product.category')),
    price: price.ok ? price.value : undefined,
    currency: text(get('product.currency')),
  });
  const order = compact({
    order_id: text(get('order.id')),
    revenue: revenue.ok ? revenue.value : undefined,
    currency: text(get('order.currency')),
    products: items.ok ? items.value : undefined,
  });
  const context = compact({
    userAgent: text(get('context.user_agent')),
    ip: text(get('context.ip')),
    locale: text(get('context.locale')),
    sessionId: text(get('session_id')),
    page: compact({
      url: text(get('page.url')),
      path: text(get('page.path')),
      referrer: text(get('page.referrer')),
      title: text(get('page.title')),
    }),
  });
  const call = segmentCall(type, properties.value as Loose, product, order);
  const content = compact({
    ...call,
    userId,
    anonymousId,
    timestamp: time.timestamp,
    context,
  }) as Omit<ImportMessage, 'messageId'>;
  const messageId = text(get('event_id')) ?? rowEventId(content);
  return { ok: true, message: { ...content, messageId } };
}

function segmentCall(
  type: string,
  properties: Loose,
  product: Loose,
  order: Loose,
): Pick<ImportMessage, 'type' | 'event' | 'properties'> {
  // A product page is Segment's Product Viewed, which the route stores as a page_view with its product.
  if (type === 'page_view' && product.product_id === undefined) return { type: 'page', properties };
  if (type === 'page_view')
    return { type: 'track', event: 'Product Viewed', properties: { ...properties, ...product } };
  const spec = Object.hasOwn(SPEC_NAME, type) ? SPEC_NAME[type as KnownEventType] : undefined;
  if (spec !== undefined) {
    const orderProps = type === 'purchase' || type === 'checkout_started' ? order : {};
    return { type: 'track', event: spec, properties: { ...properties, ...product, ...orderProps } };
  }
  const event = type.startsWith('x_') && type.length > 2 ? type.slice(2) : type;
  return { type: 'track', event: event.slice(0, 256), properties: { ...properties, ...product } };
}

/** `properties` (an object, or JSON text in a CSV cell), then the unread columns, then `properties.<name>`. */
function propertiesOf(row: RowSource, map: ColumnMap): Field {
  const base = jsonField(row.get(sourceOf(map, 'properties')), 'properties', 'object');
  if (!base.ok) return base;
  const out: Loose = {};
  for (const [column, value] of Object.entries(row.rest(map))) {
    if (value === undefined || value === '') continue;
    out[column.startsWith('properties.') ? column.slice('properties.'.length) : column] = value;
  }
  Object.assign(out, base.value ?? {});
  for (const [field, column] of map) {
    if (!field.startsWith('properties.')) continue;
    const value = row.get(column);
    if (value !== undefined && value !== '') out[field.slice('properties.'.length)] = value;
  }
  return { ok: true, value: out };
}

function numberField(value: unknown, field: string): Field {
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n === 'number' && Number.isFinite(n) && (typeof value !== 'string' || value.trim() !== ''))
    return { ok: true, value: n };
  return {
    ok: false,
    mapping: unmappable(field, 'type', `${field} ${JSON.stringify(value)} is not a number`),
  };
}

/** An object or array as it is, or as the JSON text a CSV cell holds. */
function jsonField(value: unknown, field: string, kind: 'object' | 'array'): Field {
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  const fits = kind === 'array' ? Array.isArray(parsed) : asObject(parsed) !== undefined;
  if (fits) return { ok: true, value: parsed };
  return { ok: false, mapping: unmappable(field, 'type', `${field} must be a JSON ${kind}`) };
}
