import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build, type Rolldown } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../core/topics.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from '../integration/ingest/ingest-stack.ts';
import { readTopicToEnd } from '../integration/ingest/topic-reader.ts';
import { launchChromium } from './headless-chromium.ts';

const root = join(import.meta.dirname, '../..');
const PAGE =
  '<!doctype html><html><head><title>Shop</title><script src="/spate.js"></script></head><body>shop</body></html>';

let sdk: string;
let shop: Server;
let shopOrigin: string;
let stack: IngestStack;
let browser: Browser;

/** The SDK as a page loads it: one script defining `Spate`, built from sdk/index.ts. */
async function buildBrowserSdk(): Promise<string> {
  const result = (await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: { write: false, minify: true, lib: { entry: 'sdk/index.ts', formats: ['iife'], name: 'Spate' } },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const output = Array.isArray(result) ? result[0]! : result;
  const chunk = output.output.find((c) => c.type === 'chunk');
  if (chunk?.type !== 'chunk') throw new Error('the SDK build produced no script');
  return chunk.code;
}

beforeAll(async () => {
  sdk = await buildBrowserSdk();
  shop = createServer((request, response) => {
    const script = request.url === '/spate.js';
    response
      .writeHead(200, { 'content-type': script ? 'text/javascript' : 'text/html' })
      .end(script ? sdk : PAGE);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopOrigin = `http://localhost:${(shop.address() as AddressInfo).port}`;
  stack = await startIngestStack({ SPATE_CORS_ORIGINS: JSON.stringify({ shop: [shopOrigin] }) });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await new Promise((resolve) => shop?.close(resolve));
});

/** Opens the shop with the SDK started, pointed at the gateway. */
async function openShop(page: Page, path: string, flushIntervalMs: number): Promise<Page> {
  await page.goto(`${shopOrigin}${path}`);
  await page.evaluate(
    ({ endpoint, writeKey, flushIntervalMs }) => {
      const w = globalThis as unknown as Record<string, unknown> & {
        Spate: { createBrowserClient(options: object): unknown };
      };
      w.spate = w.Spate.createBrowserClient({ endpoint, writeKey, flushIntervalMs });
    },
    { endpoint: stack.gateway.httpUrl, writeKey: WRITE_KEY, flushIntervalMs },
  );
  return page;
}

/** Tracks `count` events of about `bytes` each in the page; returns their ids. */
function track(page: Page, count: number, bytes: number): Promise<string[]> {
  return page.evaluate(
    ({ count, bytes }) => {
      const client = (globalThis as unknown as { spate: { track(type: string, fields: object): string } })
        .spate;
      return Array.from({ length: count }, (_, i) =>
        client.track('x_scrolled', { properties: { i, pad: 'p'.repeat(bytes) } }),
      );
    },
    { count, bytes },
  );
}

const queued = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { spate: { queued: number } }).spate.queued);

/** How many times each id is on events.raw. */
async function copies(ids: readonly string[]): Promise<number[]> {
  const records = await readTopicToEnd(stack.brokers, TOPICS.eventsRaw.name);
  const seen = new Map<string, number>();
  for (const r of records) {
    const id = (JSON.parse(r.value) as { event_id: string }).event_id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return ids.map((id) => seen.get(id) ?? 0);
}

describe("Spate's browser SDK in Chromium, from the shop's own origin", () => {
  it('keeps what is tracked offline and sends it, each event once, when the network is back', async () => {
    const context = await browser.newContext();
    const page = await openShop(await context.newPage(), '/', 200);
    await context.setOffline(true);
    const ids = await track(page, 30, 200);
    await page.waitForTimeout(2_000);
    expect(await queued(page)).toBe(30);
    expect((await copies(ids)).every((n) => n === 0)).toBe(true);

    await context.setOffline(false);
    await expect.poll(() => queued(page), { timeout: 20_000 }).toBe(0);
    expect(await copies(ids)).toEqual(ids.map(() => 1));
    await context.close();
  });

  it('beacons the queue when the page is left, and the next visit sends what the browser refused', async () => {
    const context = await browser.newContext();
    // Nothing is flushed before the page is left: all 150 events (~170 KB) wait for page hide.
    const page = await openShop(await context.newPage(), '/', 600_000);
    const ids = await track(page, 150, 1_000);
    expect(await queued(page)).toBe(150);
    // The next page of the visit keeps its queue until flushed, so what page hide sent shows alone.
    await openShop(page, '/next', 600_000);
    const left = await queued(page);
    await expect
      .poll(async () => (await copies(ids)).filter((n) => n > 0).length, { timeout: 10_000 })
      .toBe(150 - left);
    // Chromium lets about 64 KB of beacons be in flight: not all 170 KB fit.
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(150);
    await page.evaluate(() => (globalThis as unknown as { spate: { flush(): Promise<void> } }).spate.flush());
    expect(await queued(page)).toBe(0);
    expect(await copies(ids)).toEqual(ids.map(() => 1));
    await context.close();
  });
});
