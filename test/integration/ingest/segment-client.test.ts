import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../core/topics.ts';
import { type IngestStack, post, startIngestStack, WRITE_KEY } from './ingest-stack.ts';
import { readTopic } from './topic-reader.ts';

let stack: IngestStack;

beforeAll(async () => {
  stack = await startIngestStack();
});

afterAll(async () => {
  await stack?.close();
});

describe("Segment's analytics-node pointed at Spate", () => {
  it('sends track, page and identify, and they arrive on events.raw in Spate form', async () => {
    const userId = `seg-${randomUUID()}`;
    const errors: unknown[] = [];
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: stack.gateway.httpUrl,
      flushAt: 10,
      flushInterval: 200,
    });
    analytics.on('error', (err) => errors.push(err));
    analytics.identify({ userId, traits: { plan: 'pro' } });
    analytics.page({
      userId,
      name: 'Home',
      properties: { url: 'https://shop.example/?utm_source=ads&utm_medium=cpc' },
    });
    analytics.track({
      userId,
      event: 'Product Added',
      properties: { product_id: 'sku-1', name: 'Mug', price: 12.5, currency: 'EUR' },
    });
    analytics.track({
      userId,
      event: 'Order Completed',
      properties: {
        order_id: 'o-1',
        revenue: 25,
        currency: 'EUR',
        products: [{ product_id: 'sku-1', quantity: 2 }],
      },
    });
    await analytics.closeAndFlush({ timeout: 20_000 });
    expect(errors).toEqual([]);

    const records = await readTopic(
      stack.brokers,
      TOPICS.eventsRaw.name,
      (rs) => rs.filter((r) => r.key === userId).length >= 4,
    );
    const mine = records.filter((r) => r.key === userId).map((r) => JSON.parse(r.value));
    expect(mine.map((e) => e.type).sort()).toEqual(['add_to_cart', 'page_view', 'purchase', 'x_identify']);
    for (const event of mine)
      expect(event).toMatchObject({ source: 'segment', project: 'shop', user_id: userId });
    expect(mine.find((e) => e.type === 'x_identify')).toMatchObject({ traits: { plan: 'pro' } });
    expect(mine.find((e) => e.type === 'page_view')).toMatchObject({
      attribution: { source: 'ads', medium: 'cpc' },
    });
    expect(mine.find((e) => e.type === 'add_to_cart')).toMatchObject({
      product: { id: 'sku-1', price: 12.5 },
    });
    expect(mine.find((e) => e.type === 'purchase')).toMatchObject({
      order: { id: 'o-1', revenue: 25, currency: 'EUR' },
    });
  });

  it('serves the single-call routes with Basic auth, taking the type from the route', async () => {
    const userId = `seg-single-${randomUUID()}`;
    const basic = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
    const response = await post(
      `${stack.gateway.httpUrl}/v1/track`,
      { userId, event: 'Video Played', messageId: randomUUID(), properties: { seconds: 12 } },
      { authorization: basic },
    );
    expect(response).toMatchObject({ status: 200, json: { success: true, accepted: 1 } });
    const records = await readTopic(stack.brokers, TOPICS.eventsRaw.name, (rs) =>
      rs.some((r) => r.key === userId),
    );
    expect(JSON.parse(records.find((r) => r.key === userId)!.value)).toMatchObject({
      type: 'x_video_played',
      properties: { seconds: 12 },
    });
  });
});
