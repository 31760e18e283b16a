import { randomUUID } from 'node:crypto';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percent, tileOverview } from '../../dashboard/src/comparison-figures.ts';
import { count, money } from '../../dashboard/src/format.ts';
import { liveWindowStartMs } from '../../dashboard/src/live-window.ts';
import type { SdkEvent } from '../../sdk/types.ts';
import { launchChromium } from './headless-chromium.ts';
import {
  ensureDashboardBuilt,
  type LocalStackProcess,
  startLocalStackProcess,
} from './local-stack-process.ts';
import { until as waitUntil } from './until.ts';

/**
 * A filtered dashboard link's first paint: index.html paints the tiles from the filtered overview
 * (never from the snapshot, which is of all traffic) before the app has loaded, marks the first
 * numbers, and the app takes that answer over without asking again or flashing dashes.
 */

const MOBILE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const FILTER = 'device:mobile';
const MARK = 'spate:first-numbers';

let stack: LocalStackProcess;
let browser: Browser;

interface Overview {
  readonly events: number;
  readonly orders: number;
  readonly unique_visitors: number;
  readonly revenue: Record<string, number>;
  readonly active_now: number | null;
}

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000) =>
  waitUntil(what, probe, timeoutMs, () => stack.log());

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${stack.endpoints.http}${path}`, {
    headers: { authorization: `Bearer ${stack.endpoints.dashboardToken}` },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Two kinds of shopper a minute ago, each of their own device: the mobile ones' figures differ
 * from all traffic's in every tile, so a tile showing all traffic's could not pass for theirs.
 */
function shoppers(nowMs: number): SdkEvent[] {
  const events: SdkEvent[] = [];
  const visit = (userAgent: string, visitor: string, pages: number, revenue: number | undefined) => {
    const at = (i: number) => new Date(nowMs - 60_000 + events.length * 500 + i).toISOString();
    for (let i = 0; i < pages; i++)
      events.push({
        event_id: randomUUID(),
        type: 'page_view',
        anonymous_id: visitor,
        timestamp: at(i),
        page: { url: `https://shop.example/p/${i}`, path: `/p/${i}` },
        context: { user_agent: userAgent, ip: '192.0.2.7', locale: 'en-US' },
      });
    if (revenue !== undefined)
      events.push({
        event_id: randomUUID(),
        type: 'purchase',
        anonymous_id: visitor,
        timestamp: at(pages),
        order: {
          id: `ord-${visitor}`,
          revenue,
          currency: 'EUR',
          items: [{ product_id: 'p-1', quantity: 1 }],
        },
        context: { user_agent: userAgent, ip: '192.0.2.7', locale: 'en-US' },
      });
  };
  visit(MOBILE, 'a-mobile-1', 3, 10.5);
  visit(MOBILE, 'a-mobile-2', 2, 20.25);
  visit(MOBILE, 'a-mobile-3', 4, undefined);
  for (let i = 1; i <= 6; i++) visit(DESKTOP, `a-desktop-${i}`, 5, 100);
  return events;
}

/**
 * Every text the headline tiles show, from before the page's first script runs, in order, with
 * its time: a MutationObserver sees each state the DOM passes through, painted or not.
 */
const RECORD_TILES = `
  window.__tilesSeen = [];
  let last = '';
  new MutationObserver(() => {
    const tiles = {};
    for (const el of document.querySelectorAll('#root [data-key]'))
      tiles[el.getAttribute('data-key')] = el.textContent;
    const text = JSON.stringify(tiles);
    if (text === last || Object.keys(tiles).length === 0) return;
    last = text;
    window.__tilesSeen.push({ at: performance.now(), tiles });
  }).observe(document, { childList: true, subtree: true, characterData: true });
`;

type Seen = { at: number; tiles: Record<string, string> }[];

beforeAll(async () => {
  ensureDashboardBuilt();
  stack = await startLocalStackProcess();
  browser = await launchChromium();
  const events = shoppers(Date.now());
  const response = await fetch(`${stack.endpoints.http}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.endpoints.writeKey}` },
    body: JSON.stringify(events),
  });
  expect(await response.json()).toMatchObject({ accepted: events.length, rejected: 0 });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('a filtered dashboard link in headless Chromium', () => {
  it("paints the filtered figures first, never all traffic's, marks them, and the app keeps them", async () => {
    // The stack has taken the events in: all traffic in the snapshot, the mobile ones in the warm tier.
    const all = await until('all traffic in the snapshot', async () => {
      const body = await api<{ channels?: { overview?: Overview } }>('/v1/snapshot');
      return body.channels?.overview?.events === 47 ? body.channels.overview : undefined;
    });
    const mobile = await until('the mobile shoppers in the filtered overview', async () => {
      const from = new Date(liveWindowStartMs(Date.now())).toISOString();
      const body = await api<Overview>(`/v1/metrics/overview?filter=${FILTER}&from=${from}`);
      return body.events === 11 ? body : undefined;
    });
    // The tiles' window of whole minutes: the hot tier's live breakdowns answer it.
    expect(mobile).toMatchObject({
      events: 11,
      orders: 2,
      unique_visitors: 3,
      revenue: { EUR: 30.75 },
      tiers: ['hot'],
    });
    expect(all).toMatchObject({ orders: 8, revenue: { EUR: 630.75 } });

    const page: Page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript({ content: RECORD_TILES });
    const filteredAsked: Request[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      // The tiles' window runs to now; the earlier periods' end at a `to`.
      if (url.pathname === '/v1/metrics/overview' && !url.searchParams.has('to')) filteredAsked.push(r);
    });
    await page.goto(`${stack.endpoints.dashboard}&filter=${FILTER}`);

    const mark = await until('the first-numbers mark', async () =>
      page.evaluate((name) => performance.getEntriesByName(name)[0]?.startTime, MARK),
    );
    // The app has started and taken the shell's answer over (its next poll is 5 s away).
    await until('the app took the early answer', async () =>
      (await page.evaluate(
        () =>
          (globalThis as { __spateFilteredOverview?: { answer?: unknown } }).__spateFilteredOverview
            ?.answer === undefined,
      )) && (await page.getByTestId('transport').textContent()) !== 'connecting'
        ? true
        : undefined,
    );
    expect(filteredAsked.map((r) => new URL(r.url()).searchParams.getAll('filter'))).toEqual([[FILTER]]);

    const expected = {
      events: count(mobile.events),
      unique_visitors: count(mobile.unique_visitors),
      orders: count(mobile.orders),
      revenue: money(mobile.revenue),
      active_now: '—',
    };
    await until('the app rendered the tiles', async () =>
      (await page.getByTestId('conversion-rate').textContent()) !== '—' ? true : undefined,
    );
    const seen = await page.evaluate(() => (globalThis as unknown as { __tilesSeen: Seen }).__tilesSeen);
    const withNumbers = seen.findIndex((s) => s.tiles.events !== '—');
    expect(withNumbers).toBeGreaterThanOrEqual(0);
    // The shell painted the filtered figures before the mark; from then on no tile shows a dash
    // where it had a number, nor any figure of all traffic.
    expect(seen[withNumbers]?.at).toBeLessThanOrEqual(mark);
    expect(seen[withNumbers]?.tiles).toMatchObject(expected);
    for (const { tiles } of seen.slice(withNumbers)) {
      expect(tiles).toMatchObject(expected);
      expect(tiles.events).not.toBe(count(all.events));
      expect(tiles.orders).not.toBe(count(all.orders));
      expect(tiles.revenue).not.toBe(money(all.revenue));
    }
    // The app's tiles are of the same answer, with the figures it derives from it (events per
    // second over the window that answer covers).
    const painted = (await (await filteredAsked[0]!.response())!.json()) as Overview;
    expect(painted).toMatchObject({ events: mobile.events, tiers: ['hot'] });
    const derived = tileOverview({ ...painted });
    expect(await page.getByTestId('conversion-rate').textContent()).toBe(percent(derived?.conversion_rate));
    expect(await page.getByTestId('events-total').textContent()).toBe(expected.events);
    expect(await page.locator('[data-key="events_per_s"]').textContent()).toBe(count(derived?.events_per_s));
    expect(await page.evaluate((name) => performance.getEntriesByName(name).length, MARK)).toBe(1);
    await page.close();
  });
});
