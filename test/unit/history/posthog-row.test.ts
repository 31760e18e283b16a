import { describe, expect, it } from 'vitest';
import { mapPosthogRow, posthogCsvObject } from '../../../core/history/posthog-row.ts';
import { messageOf, stored } from './stored-events.ts';

const UUID = '0188e1c2-4f6a-7b3c-8d9e-0a1b2c3d4e5f';

describe('a PostHog export event', () => {
  it('stores a $pageview as a page view of $current_url, by an anonymous device', () => {
    const message = messageOf(
      mapPosthogRow({
        uuid: UUID,
        event: '$pageview',
        distinct_id: 'dev-1',
        timestamp: '2023-06-01 10:00:00.123456',
        properties: JSON.stringify({
          $current_url: 'https://shop.example/a?utm_source=news',
          $pathname: '/a',
          $referrer: 'https://search.example/',
          $device_id: 'dev-1',
          $session_id: 'sess-1',
          $raw_user_agent: 'Mozilla/5.0',
          $ip: '203.0.113.9',
          $browser_language: 'en-GB',
          $lib: 'web',
          $set: { email: 'x@example.com' },
          title: 'A',
          plan: 'pro',
        }),
        elements_chain: '',
      }),
    );
    expect(message).toMatchObject({ type: 'page', anonymousId: 'dev-1', messageId: UUID });
    expect(message.userId).toBeUndefined();
    expect(message.properties).toEqual({ title: 'A', plan: 'pro' });
    const [event] = stored([message]).events;
    expect(event).toMatchObject({
      event_id: UUID,
      type: 'page_view',
      anonymous_id: 'dev-1',
      session_id: 'sess-1',
      timestamp: '2023-06-01T10:00:00.123Z',
      page: {
        url: 'https://shop.example/a?utm_source=news',
        path: '/a',
        referrer: 'https://search.example/',
        title: 'A',
      },
      locale: 'en-GB',
    });
  });

  it('takes distinct_id as the user once identified, the device as the anonymous id', () => {
    const message = messageOf(
      mapPosthogRow({
        uuid: UUID,
        event: 'Order Completed',
        distinct_id: 'user-7',
        timestamp: '2023-06-01T10:00:00Z',
        properties: { $device_id: 'dev-1', revenue: 30, order_id: 'o7' },
      }),
    );
    expect(message).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: 'user-7',
      anonymousId: 'dev-1',
    });
    expect(stored([message]).events[0]).toMatchObject({ type: 'purchase', order: { id: 'o7', revenue: 30 } });
  });

  it('maps PostHog calls to Segment calls and other $ events to tracks', () => {
    const row = (
      event: string,
      properties: Record<string, unknown> = {},
      extra: Record<string, unknown> = {},
    ) =>
      messageOf(
        mapPosthogRow({ event, distinct_id: 'u1', timestamp: '2023-06-01T10:00:00Z', properties, ...extra }),
      );
    expect(row('$identify', {}, { set: '{"plan":"pro"}' })).toMatchObject({
      type: 'identify',
      traits: { plan: 'pro' },
    });
    expect(row('$identify', { $set: { plan: 'free' } })).toMatchObject({ traits: { plan: 'free' } });
    expect(row('$screen', { $screen_name: 'Cart' })).toMatchObject({ type: 'screen', name: 'Cart' });
    expect(
      row('$groupidentify', { $group_type: 'company', $group_key: 'acme', $group_set: { seats: 5 } }),
    ).toMatchObject({
      type: 'group',
      groupId: 'acme',
      traits: { seats: 5 },
      properties: { group_type: 'company' },
    });
    expect(row('$create_alias', { alias: 'old-id' })).toMatchObject({ type: 'alias', previousId: 'old-id' });
    const { events, rejections } = stored([row('$autocapture'), row('$pageleave')]);
    expect(rejections).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['x_autocapture', 'x_pageleave']);
  });

  it('treats a person PostHog marks as not identified as anonymous', () => {
    const m = messageOf(
      mapPosthogRow({
        event: 'x',
        distinct_id: 'anon-9',
        timestamp: '2023-06-01T10:00:00Z',
        properties: { $is_identified: false },
      }),
    );
    expect(m).toMatchObject({ anonymousId: 'anon-9' });
    expect(m.userId).toBeUndefined();
  });

  it('names the field and rule of an event it cannot map', () => {
    const base = { event: 'x', distinct_id: 'u1', timestamp: '2023-06-01T10:00:00Z' };
    const reason = (row: Record<string, unknown>) => {
      const m = mapPosthogRow(row);
      return m.ok ? undefined : [m.reason.field, m.reason.rule];
    };
    expect(reason({ ...base, event: '' })).toEqual(['event', 'required']);
    expect(reason({ ...base, distinct_id: undefined })).toEqual(['distinct_id', 'required']);
    expect(reason({ ...base, timestamp: undefined })).toEqual(['timestamp', 'required']);
    expect(reason({ ...base, timestamp: 'later' })).toEqual(['timestamp', 'format']);
    expect(reason({ ...base, properties: '{broken' })).toEqual(['properties', 'type']);
  });
});

describe("a row of PostHog's CSV download", () => {
  it('reads the properties column as JSON and properties.<name> columns into it', () => {
    const object = posthogCsvObject(
      ['*.uuid', '*.event', '*.distinct_id', '*.timestamp', '*.properties', '*.properties.$current_url'],
      [UUID, '$pageview', 'u1', '2023-06-01T10:00:00Z', '{"plan":"pro"}', 'https://shop.example/'],
    );
    expect(object).toEqual({
      uuid: UUID,
      event: '$pageview',
      distinct_id: 'u1',
      timestamp: '2023-06-01T10:00:00Z',
      properties: { plan: 'pro', $current_url: 'https://shop.example/' },
    });
    expect(messageOf(mapPosthogRow(object))).toMatchObject({
      type: 'page',
      userId: 'u1',
      context: { page: { url: 'https://shop.example/' } },
    });
  });
});
