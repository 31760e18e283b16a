import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../core/topics.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';
import { readTopic } from './topic-reader.ts';

const SHOP_ORIGIN = 'http://shop.test:8080';
let stack: IngestStack;

beforeAll(async () => {
  stack = await startIngestStack({ SPATE_CORS_ORIGINS: JSON.stringify({ shop: [SHOP_ORIGIN] }) });
});

afterAll(async () => {
  await stack?.close();
});

const url = (path: string) => `${stack.gateway.httpUrl}${path}`;
const basic = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;

async function send(
  path: string,
  init: { headers: Record<string, string>; body?: string | Buffer; method?: string },
) {
  const response = await fetch(url(path), {
    method: init.method ?? 'POST',
    headers: init.headers,
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

/** The records of events.raw whose event ids are `ids`, once all of them have arrived. */
async function landed(ids: readonly string[]) {
  const wanted = new Set(ids);
  const records = await readTopic(stack.brokers, TOPICS.eventsRaw.name, (rs) => {
    const seen = new Set(rs.map((r) => JSON.parse(r.value).event_id).filter((id) => wanted.has(id)));
    return seen.size === wanted.size;
  });
  return records.map((r) => JSON.parse(r.value)).filter((e) => wanted.has(e.event_id));
}

// A message as the mobile libraries build it (analytics-swift / analytics-kotlin): each carries
// its own messageId, type, anonymousId, timestamp and context.library; sentAt is the batch's.
function mobileMessage(type: string, library: string, extra: Record<string, unknown>) {
  return {
    messageId: randomUUID(),
    type,
    anonymousId: `anon-${randomUUID()}`,
    timestamp: new Date(Date.now() - 5_000).toISOString(),
    context: {
      library: { name: library, version: '1.16.0' },
      device: { manufacturer: 'Google', model: 'Pixel 8' },
      os: { name: 'Android', version: '14' },
      app: { name: 'Shop', version: '3.2.1', build: '321' },
      instanceId: randomUUID(),
    },
    integrations: {},
    _metadata: { bundled: [], unbundled: [], bundledIds: [] },
    ...extra,
  };
}

describe("Segment's browser paths, as analytics.js sends them", () => {
  it('takes a text/plain track on /v1/t with the write key in the body only', async () => {
    const messageId = `ajs-next-${Date.now()}-${randomUUID()}`;
    const response = await send('/v1/t', {
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({
        type: 'track',
        event: 'Video Played',
        messageId,
        anonymousId: randomUUID(),
        writeKey: WRITE_KEY,
        sentAt: new Date().toISOString(),
      }),
    });
    expect(response).toMatchObject({ status: 200, json: { success: true, accepted: 1 } });
  });

  it('refuses a body key that is not a write key, naming what is required', async () => {
    const response = await send('/v1/p', {
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ type: 'page', anonymousId: 'a-1', writeKey: 'wk_nobody' }),
    });
    expect(response.status).toBe(401);
    const none = await send('/v1/p', {
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ type: 'page', anonymousId: 'a-1' }),
    });
    expect(none).toMatchObject({ status: 401, json: { error: 'unauthorized' } });
    // Before a key names the project, a page on a listed origin may still read why it failed.
    const fromShop = await send('/v1/p', {
      headers: { 'content-type': 'text/plain', origin: SHOP_ORIGIN },
      body: JSON.stringify({ type: 'page', anonymousId: 'a-1', writeKey: 'wk_nobody' }),
    });
    expect(fromShop.status).toBe(401);
    expect(fromShop.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
  });

  it("accepts analytics.js's metrics on /v1/m and writes nothing for them", async () => {
    const response = await fetch(url('/v1/m'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: SHOP_ORIGIN },
      body: JSON.stringify({
        series: [{ type: 'Counter', metric: 'analytics_js.invoke', value: 1, tags: {} }],
      }),
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    // Something unparseable follows it to events.dlq; once that is read, /v1/m would have been too.
    const marker = `marker-${randomUUID()}`;
    await send('/v1/events', {
      headers: { 'content-type': 'application/json', authorization: basic },
      body: JSON.stringify({ type: 'page_view', user_id: marker, event_id: 'not-a-uuid' }),
    });
    const letters = await readTopic(stack.brokers, TOPICS.eventsDlq.name, (rs) =>
      rs.some((r) => r.value.includes(marker)),
    );
    expect(letters.some((r) => r.value.includes(marker))).toBe(true);
    expect(letters.filter((r) => JSON.parse(r.value).route?.includes('/v1/m'))).toEqual([]);
  });
});

describe("Segment's mobile batches on /v1/b", () => {
  it('takes a gzip batch with Basic auth as analytics-kotlin sends it', async () => {
    const batch = [
      mobileMessage('screen', 'analytics-kotlin', { name: 'Home', properties: {} }),
      mobileMessage('track', 'analytics-kotlin', {
        event: 'Product Viewed',
        properties: { product_id: 'p-1' },
      }),
      mobileMessage('identify', 'analytics-kotlin', { userId: 'm-user-1', traits: { plan: 'pro' } }),
    ];
    const body = gzipSync(JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey: WRITE_KEY }));
    const response = await send('/v1/b', {
      headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip', authorization: basic },
      body,
    });
    expect(response).toMatchObject({ status: 200, json: { accepted: 3, rejected: 0 } });
    const events = await landed(batch.map((m) => m.messageId));
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.type).sort()).toEqual(['page_view', 'x_identify', 'x_screen']);
    for (const e of events) expect(e).toMatchObject({ project: 'shop', source: 'segment' });
  });

  it('takes a JSON batch with Basic auth as analytics-swift sends it, each message once', async () => {
    const batch = Array.from({ length: 20 }, (_, i) =>
      mobileMessage('track', 'analytics-swift', { event: 'Button Tapped', properties: { index: i } }),
    );
    const response = await send('/v1/b', {
      headers: {
        'content-type': 'application/json; charset=utf-8',
        authorization: basic,
        'user-agent': 'analytics-ios/1.6.0',
      },
      body: JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey: WRITE_KEY }),
    });
    expect(response).toMatchObject({ status: 200, json: { accepted: 20 } });
    const events = await landed(batch.map((m) => m.messageId));
    expect(events).toHaveLength(20);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(20);
    expect(events.every((e) => e.type === 'x_button_tapped')).toBe(true);
  });
});

describe('CORS per project', () => {
  it("answers a preflight from the project's origin and refuses one from elsewhere", async () => {
    const preflight = (origin: string) =>
      fetch(url('/v1/t'), {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const ok = await preflight(SHOP_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    const evil = await preflight('https://evil.example');
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('writes nothing a page on an unlisted origin posts, and tags what a listed one posts', async () => {
    const message = (messageId: string) =>
      JSON.stringify({ type: 'track', event: 'Clicked', anonymousId: 'a-2', messageId, writeKey: WRITE_KEY });
    const refused = randomUUID();
    const evil = await send('/v1/t', {
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: message(refused),
    });
    expect(evil).toMatchObject({ status: 403, json: { error: 'origin_not_allowed' } });
    expect(evil.json.message).toContain('SPATE_CORS_ORIGINS');

    const accepted = randomUUID();
    const shop = await send('/v1/t', {
      headers: { 'content-type': 'text/plain', origin: SHOP_ORIGIN },
      body: message(accepted),
    });
    expect(shop.status).toBe(200);
    expect(shop.headers.get('access-control-allow-origin')).toBe(SHOP_ORIGIN);
    const events = await landed([accepted]);
    expect(events).toHaveLength(1);
    const all = await readTopic(stack.brokers, TOPICS.eventsRaw.name, () => false, 1_500);
    expect(all.filter((r) => r.value.includes(refused))).toEqual([]);
  });
});
