import { describe, expect, it } from 'vitest';
import { eventIdFromMessageId } from '../../../core/segment/message-id.ts';
import { mapSegmentMessage } from '../../../core/segment/segment-mapping.ts';
import { customType } from '../../../core/segment/spec-events.ts';

describe('mapSegmentMessage', () => {
  it('maps Product Added onto add_to_cart with its product', () => {
    const { event } = mapSegmentMessage(
      {
        type: 'track',
        event: 'Product Added',
        messageId: '0b7c8a9e-3f5d-4c2b-9a1e-2d3f4a5b6c7d',
        userId: 'u-1',
        properties: { product_id: 'p-7', name: 'Mug', price: '12.50', currency: 'eur', category: 'kitchen' },
        timestamp: '2024-05-01T12:00:00.000Z',
      },
      'shop',
    );
    expect(event).toMatchObject({
      event_id: '0b7c8a9e-3f5d-4c2b-9a1e-2d3f4a5b6c7d',
      type: 'add_to_cart',
      user_id: 'u-1',
      product: { id: 'p-7', name: 'Mug', price: 12.5, currency: 'EUR', category: 'kitchen' },
    });
  });

  it('maps Order Completed onto purchase with revenue and items', () => {
    const { event } = mapSegmentMessage(
      {
        type: 'track',
        event: 'Order Completed',
        messageId: 'm-1',
        anonymousId: 'anon-1',
        properties: {
          order_id: 'o-9',
          revenue: 30,
          currency: 'USD',
          products: [{ product_id: 'p-1', quantity: 2, price: 15 }],
        },
      },
      'shop',
    );
    expect(event).toMatchObject({
      type: 'purchase',
      anonymous_id: 'anon-1',
      order: {
        id: 'o-9',
        revenue: 30,
        currency: 'USD',
        items: [{ product_id: 'p-1', quantity: 2, price: 15 }],
      },
    });
  });

  it('maps page onto page_view with the page from context and properties', () => {
    const { event } = mapSegmentMessage(
      {
        type: 'page',
        name: 'Home',
        messageId: 'm-2',
        userId: 7,
        context: {
          page: { url: 'https://shop.example/', referrer: 'https://google.com/' },
          ip: '203.0.113.5',
        },
        properties: { title: 'Shop' },
      },
      'shop',
    );
    expect(event).toMatchObject({
      type: 'page_view',
      user_id: '7',
      page: { url: 'https://shop.example/', referrer: 'https://google.com/', title: 'Shop' },
      properties: { title: 'Shop', name: 'Home' },
      context: { ip: '203.0.113.5' },
    });
  });

  it('maps identify, group, alias, screen and custom track events onto x_ types', () => {
    const traits = { email: 'a@example.com' };
    expect(mapSegmentMessage({ type: 'identify', messageId: 'm', userId: 'u', traits }, 's')).toMatchObject({
      event: { type: 'x_identify' },
      extras: { traits },
    });
    expect(
      mapSegmentMessage({ type: 'group', messageId: 'm', userId: 'u', groupId: 'g1' }, 's').event,
    ).toMatchObject({
      type: 'x_group',
      properties: { group_id: 'g1' },
    });
    expect(
      mapSegmentMessage({ type: 'alias', messageId: 'm', userId: 'u', previousId: 'a' }, 's').event.type,
    ).toBe('x_alias');
    expect(mapSegmentMessage({ type: 'screen', messageId: 'm', userId: 'u' }, 's').event.type).toBe(
      'x_screen',
    );
    expect(
      mapSegmentMessage({ type: 'track', event: 'Video Played!', messageId: 'm', userId: 'u' }, 's').event
        .type,
    ).toBe('x_video_played');
  });

  it('uses the batch sentAt when the message has none', () => {
    const { event } = mapSegmentMessage(
      { type: 'track', event: 'x', messageId: 'm', userId: 'u' },
      's',
      '2024-05-01T00:00:00Z',
    );
    expect(event.sent_at).toBe('2024-05-01T00:00:00Z');
  });
});

describe('eventIdFromMessageId', () => {
  it('derives a stable UUID from a non-UUID messageId, distinct per project', () => {
    const id = eventIdFromMessageId('node-next-1714560000000-abc', 'shop');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFromMessageId('node-next-1714560000000-abc', 'shop')).toBe(id);
    expect(eventIdFromMessageId('node-next-1714560000000-abc', 'blog')).not.toBe(id);
  });

  it('keeps a UUID messageId', () => {
    expect(eventIdFromMessageId('0B7C8A9E-3F5D-4C2B-9A1E-2D3F4A5B6C7D', 's')).toBe(
      '0b7c8a9e-3f5d-4c2b-9a1e-2d3f4a5b6c7d',
    );
  });
});

describe('customType', () => {
  it('slugs names and bounds their length', () => {
    expect(customType('Newsletter Subscribed')).toBe('x_newsletter_subscribed');
    expect(customType('!!!')).toBe('x_event');
    expect(customType('a'.repeat(100))).toHaveLength(66);
  });
});
