import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Context, AnalyticsBrowser as Loader } from '@segment/analytics-next';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventIdFromMessageId } from '../../core/segment/message-id.ts';
import { TOPICS } from '../../core/topics.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from '../integration/ingest/ingest-stack.ts';
import { readTopicToEnd } from '../integration/ingest/topic-reader.ts';
import { launchChromium } from './headless-chromium.ts';

// Segment's own browser build of analytics.js 2.0, as a shop loads it from its CDN.
const ANALYTICS_JS = readFileSync(
  createRequire(import.meta.url).resolve('@segment/analytics-next/dist/umd/index.js'),
  'utf8',
);
const PAGE =
  '<!doctype html><html><head><title>Shop</title><script src="/analytics.js"></script></head><body>shop</body></html>';

let shop: Server;
let shopOrigin: string;
let stack: IngestStack;
let browser: Browser;
let page: Page;
const leftLocalhost: string[] = [];

/** The shop's site: its own origin, another port than the gateway's. */
async function startShop(): Promise<Server> {
  const server = createServer((request, response) => {
    const body = request.url === '/analytics.js' ? ANALYTICS_JS : PAGE;
    const type = request.url === '/analytics.js' ? 'text/javascript' : 'text/html';
    response.writeHead(200, { 'content-type': type }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  shop = await startShop();
  shopOrigin = `http://localhost:${(shop.address() as AddressInfo).port}`;
  stack = await startIngestStack({ SPATE_CORS_ORIGINS: JSON.stringify({ shop: [shopOrigin] }) });
  browser = await launchChromium();
  page = await browser.newPage();
  // Nothing may reach the network: no CDN settings fetch, no chunk, no metrics to Segment.
  await page.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    if (hostname === 'localhost' || hostname === '127.0.0.1') return route.continue();
    leftLocalhost.push(route.request().url());
    return route.abort();
  });
  await page.goto(`${shopOrigin}/`);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await new Promise((resolve) => shop?.close(resolve));
});

interface PageResult {
  readonly messageIds: string[];
  readonly failures: string[];
}

/** Loads analytics.js in the page, pointed at the gateway, makes the calls and waits for each delivery. */
function runCalls(apiHost: string, writeKey: string, batching: boolean): Promise<PageResult> {
  return page.evaluate(
    async ({ apiHost, writeKey, batching }) => {
      const AnalyticsBrowser = (
        globalThis as unknown as { AnalyticsNext: { AnalyticsBrowser: typeof Loader } }
      ).AnalyticsNext.AnalyticsBrowser;
      const segment = { apiKey: writeKey, apiHost, protocol: 'http' as const };
      const [analytics] = await AnalyticsBrowser.load(
        // cdnSettings given: nothing is fetched from Segment's CDN.
        { writeKey, cdnSettings: { integrations: { 'Segment.io': segment } } },
        {
          integrations: {
            'Segment.io': batching
              ? { ...segment, deliveryStrategy: { strategy: 'batching', config: { size: 5, timeout: 200 } } }
              : segment,
          },
          // A fresh visitor per run: no user id left in storage by the run before.
          disableClientPersistence: true,
        },
      );
      const calls: Promise<Context>[] = [];
      for (let i = 0; i < 6; i++) calls.push(analytics.track('Product Viewed', { product_id: `p-${i}`, i }));
      for (let i = 0; i < 4; i++) calls.push(analytics.page('Shop', `Page ${i}`, { path: `/p/${i}` }));
      for (let i = 0; i < 4; i++) calls.push(analytics.identify(`user-${i}`, { plan: 'pro', i }));
      for (let i = 0; i < 3; i++) calls.push(analytics.group(`org-${i}`, { name: `Org ${i}` }));
      for (let i = 0; i < 3; i++) calls.push(analytics.alias(`user-${i}`, `anon-${i}`));
      const contexts = await Promise.all(calls);
      return {
        messageIds: contexts.map((ctx) => ctx.event.messageId as string),
        failures: contexts.flatMap((ctx) =>
          ctx
            .logs()
            .filter((l) => l.level === 'error')
            .map((l) => String(l.message)),
        ),
      };
    },
    { apiHost, writeKey, batching },
  );
}

/** How many times each call's event is on events.raw, with its type. */
async function deliveries(messageIds: readonly string[]) {
  const records = await readTopicToEnd(stack.brokers, TOPICS.eventsRaw.name);
  const events = records.map(
    (r) => JSON.parse(r.value) as { event_id: string; type: string; project: string },
  );
  return messageIds.map((id) => {
    const copies = events.filter((e) => e.event_id === eventIdFromMessageId(id, 'shop'));
    return { id, copies: copies.length, type: copies[0]?.type, project: copies[0]?.project };
  });
}

describe("Segment's analytics.js 2.0 in Chromium, from the shop's own origin", () => {
  it('delivers 20 calls (track, page, identify, group, alias) one request each, each exactly once', async () => {
    const apiHost = `${new URL(stack.gateway.httpUrl).host}/v1`;
    const result = await runCalls(apiHost, WRITE_KEY, false);
    expect(result.failures).toEqual([]);
    expect(new Set(result.messageIds).size).toBe(20);
    const landed = await deliveries(result.messageIds);
    expect(landed.filter((d) => d.copies !== 1)).toEqual([]);
    expect(landed.every((d) => d.project === 'shop')).toBe(true);
    const types = landed.map((d) => d.type);
    expect(types.filter((t) => t === 'page_view')).toHaveLength(6 + 4); // Product Viewed is a page view
    for (const type of ['x_identify', 'x_group', 'x_alias']) expect(types).toContain(type);
    expect(leftLocalhost).toEqual([]);
  });

  it('delivers the same calls batched to /v1/b, each exactly once', async () => {
    await page.reload();
    const apiHost = `${new URL(stack.gateway.httpUrl).host}/v1`;
    // A batched call resolves once queued; the batches' answers say when they were written.
    let batches = 0;
    let batchedMessages = 0;
    page.on('requestfinished', async (request) => {
      if (new URL(request.url()).pathname !== '/v1/b') return;
      const response = await request.response();
      if (response?.status() !== 200) return;
      batches += 1;
      batchedMessages += (JSON.parse(request.postData() ?? '{}') as { batch: unknown[] }).batch.length;
    });
    const result = await runCalls(apiHost, WRITE_KEY, true);
    expect(result.failures).toEqual([]);
    await expect.poll(() => batchedMessages, { timeout: 20_000 }).toBe(20);
    expect(batches).toBeGreaterThanOrEqual(1);
    const landed = await deliveries(result.messageIds);
    expect(landed.filter((d) => d.copies !== 1)).toEqual([]);
    expect(leftLocalhost).toEqual([]);
  });
});
