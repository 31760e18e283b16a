import { describe, expect, it } from 'vitest';
import { columnMap } from '../../../core/history/column-map.ts';
import { mapHistoryRecord } from '../../../core/history/history-format.ts';
import { messageOf, stored } from './stored-events.ts';

const csvRow = (row: Record<string, string>, maps: string[] = []) =>
  mapHistoryRecord(
    'csv',
    { shape: 'csv', header: Object.keys(row), values: Object.values(row) },
    columnMap(maps),
  );
const jsonRow = (row: Record<string, unknown>, maps: string[] = []) =>
  mapHistoryRecord('ndjson', { shape: 'ndjson', text: JSON.stringify(row) }, columnMap(maps));

const ID = '3f2b8c1e-8d4a-4b6f-9c2d-1a5e7f9b0c3d';

describe('a CSV row of Spate fields', () => {
  it('maps columns named by --map; a purchase is stored as a purchase with its order', () => {
    const mapping = csvRow(
      {
        id: ID,
        created_at: '2016-03-01 10:15:00',
        kind: 'purchase',
        customer: 'c9',
        'order.id': 'A-1',
        'order.revenue': '12.50',
        'order.currency': 'EUR',
        channel: 'store',
      },
      ['event_id=id', 'timestamp=created_at', 'type=kind', 'user_id=customer'],
    );
    const [event] = stored([messageOf(mapping)]).events;
    expect(event).toMatchObject({
      event_id: ID,
      type: 'purchase',
      user_id: 'c9',
      timestamp: '2016-03-01T10:15:00.000Z',
      timestamp_flag: null,
      order: { id: 'A-1', revenue: 12.5, currency: 'EUR' },
      properties: expect.objectContaining({ channel: 'store' }),
    });
  });

  it('stores each Spate type as itself', () => {
    const base = { user_id: 'u1', timestamp: '2016-03-01T10:15:00Z' };
    const rows = [
      {
        ...base,
        type: 'page_view',
        'page.url': 'https://shop.example/a',
        'page.path': '/a',
        'page.title': 'A',
      },
      { ...base, type: 'page_view', 'product.id': 'p1', 'page.path': '/p/p1' },
      { ...base, type: 'add_to_cart', 'product.id': 'p1', 'product.price': '3', 'product.currency': 'usd' },
      { ...base, type: 'remove_from_cart', 'product.id': 'p1' },
      { ...base, type: 'checkout_started', 'order.id': 'c1', 'order.revenue': '9' },
      { ...base, type: 'search', query: 'shoes' },
      { ...base, type: 'click', 'product.id': 'p2' },
      { ...base, type: 'signup' },
      { ...base, type: 'x_video_played' },
      { ...base, type: 'Video Played' },
    ];
    const { events, rejections } = stored(rows.map((r) => messageOf(csvRow(r))));
    expect(rejections).toEqual([]);
    expect(events.map((e) => e.type)).toEqual([
      'page_view',
      'page_view',
      'add_to_cart',
      'remove_from_cart',
      'checkout_started',
      'search',
      'click',
      'signup',
      'x_video_played',
      'x_video_played',
    ]);
    expect(events[0]).toMatchObject({ page: { url: 'https://shop.example/a', path: '/a', title: 'A' } });
    expect(events[1]).toMatchObject({ product: { id: 'p1' }, page: { path: '/p/p1' } });
    expect(events[2]).toMatchObject({ product: { id: 'p1', price: 3, currency: 'USD' } });
    expect(events[4]).toMatchObject({ order: { id: 'c1', revenue: 9 } });
  });

  it('puts the other columns in properties, a properties.<name> column as <name>, a properties cell as JSON', () => {
    const message = messageOf(
      csvRow({
        type: 'signup',
        user_id: 'u1',
        timestamp: '1456827300',
        plan: 'pro',
        'properties.source': 'ad',
        properties: '{"n":2}',
      }),
    );
    expect(message.properties).toEqual({ plan: 'pro', source: 'ad', n: 2 });
    expect(message.timestamp).toBe('2016-03-01T10:15:00.000Z');
  });

  it('derives the same id for the same row, whatever its columns order, and another for another row', () => {
    const a = messageOf(csvRow({ type: 'signup', user_id: 'u1', timestamp: '2016-03-01T10:15:00Z' }));
    const b = messageOf(csvRow({ timestamp: '2016-03-01T10:15:00Z', user_id: 'u1', type: 'signup' }));
    const c = messageOf(csvRow({ type: 'signup', user_id: 'u2', timestamp: '2016-03-01T10:15:00Z' }));
    expect(a.messageId).toBe(b.messageId);
    expect(a.messageId).not.toBe(c.messageId);
  });

  it('keeps an id that is not a UUID as the message id; the route makes it a stable event id', () => {
    const message = messageOf(
      csvRow({ event_id: 'order-77', type: 'signup', user_id: 'u1', timestamp: '2016-03-01' }),
    );
    expect(message.messageId).toBe('order-77');
    const [first] = stored([message]).events;
    const [again] = stored([message]).events;
    expect(first?.event_id).toBe(again?.event_id);
  });

  it('names the field and rule of a row it cannot map', () => {
    const base = { type: 'signup', user_id: 'u1', timestamp: '2016-03-01T10:15:00Z' };
    const reason = (row: Record<string, string>) => {
      const m = csvRow(row);
      return m.ok ? undefined : [m.reason.field, m.reason.rule];
    };
    expect(reason({ ...base, type: '' })).toEqual(['type', 'required']);
    expect(reason({ ...base, timestamp: '' })).toEqual(['timestamp', 'required']);
    expect(reason({ ...base, timestamp: 'last tuesday' })).toEqual(['timestamp', 'format']);
    expect(reason({ ...base, user_id: '' })).toEqual(['user_id', 'required']);
    expect(reason({ ...base, 'product.price': 'cheap' })).toEqual(['product.price', 'type']);
    expect(reason({ ...base, 'order.items': '{"not":"a list"}' })).toEqual(['order.items', 'type']);
    expect(reason({ ...base, properties: 'plain' })).toEqual(['properties', 'type']);
  });
});

describe('an NDJSON event in Spate form', () => {
  it('maps nested fields; those the API sets on arrival are left out', () => {
    const row = {
      event_id: ID,
      type: 'purchase',
      anonymous_id: 'a1',
      session_id: 's1',
      timestamp: '2016-03-01T10:15:00.000Z',
      sent_at: '2016-03-01T10:15:01.000Z',
      received_at: '2016-03-01T10:15:02.000Z',
      order: {
        id: 'o1',
        revenue: 20,
        currency: 'EUR',
        items: [{ product_id: 'p1', quantity: 2, price: 10 }],
      },
      properties: { coupon: 'X' },
      context: { locale: 'de-DE' },
      page: { url: 'https://shop.example/checkout' },
    };
    const message = messageOf(jsonRow(row));
    expect(message.properties).not.toHaveProperty('received_at');
    const [event] = stored([message]).events;
    expect(event).toMatchObject({
      event_id: ID,
      type: 'purchase',
      anonymous_id: 'a1',
      session_id: 's1',
      order: {
        id: 'o1',
        revenue: 20,
        currency: 'EUR',
        items: [{ product_id: 'p1', quantity: 2, price: 10 }],
      },
      locale: 'de-DE',
      page: { url: 'https://shop.example/checkout' },
      properties: expect.objectContaining({ coupon: 'X' }),
    });
  });

  it('reads mapped fields from key paths', () => {
    const message = messageOf(
      jsonRow({ kind: 'signup', at: 1456827300000, customer: { id: 'c1', tier: 'gold' } }, [
        'type=kind',
        'timestamp=at',
        'user_id=customer.id',
      ]),
    );
    expect(message).toMatchObject({
      event: 'Signed Up',
      userId: 'c1',
      timestamp: '2016-03-01T10:15:00.000Z',
    });
  });

  it('refuses a line that is not a JSON object', () => {
    const bad = mapHistoryRecord('ndjson', { shape: 'ndjson', text: '{"type":' }, columnMap([]));
    expect(bad).toMatchObject({ ok: false, reason: { field: '$', rule: 'json' } });
    const list = mapHistoryRecord('ndjson', { shape: 'ndjson', text: '[1]' }, columnMap([]));
    expect(list).toMatchObject({ ok: false, reason: { field: '$', rule: 'type' } });
  });
});
