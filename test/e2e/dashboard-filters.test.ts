import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './headless-chromium.ts';
import { LAYOUT_WIDTHS, layoutProblems } from './layout-probe.ts';
import {
  ensureDashboardBuilt,
  type LocalStackProcess,
  ROOT,
  startLocalStackProcess,
} from './local-stack-process.ts';
import { until as waitUntil } from './until.ts';

const OUTPUT = join(ROOT, 'test-output');

let stack: LocalStackProcess;
let browser: Browser;
let page: Page;
let load: ChildProcess | undefined;

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000) =>
  waitUntil(what, probe, timeoutMs, () => stack.log());

async function number(testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Number(text.replace(/[^0-9.]/g, '') || Number.NaN);
}

const panel = (title: string): Locator =>
  page.locator('section.panel', { has: page.locator('h2', { hasText: title }) });

/** The names in a panel's list, once it has at least one. */
async function rowsOf(list: Locator): Promise<string[]> {
  return until(`rows in a panel`, async () => {
    const names = await list.locator('ol.top li:not(.empty) .name').allTextContents();
    return names.length > 0 ? names : undefined;
  });
}

/** The comparison line under a headline tile. */
const tileSub = (key: string): Locator =>
  page.locator('.tile', { has: page.locator(`[data-key="${key}"]`) }).locator('.tile-sub');

/**
 * The query API's last warm answer the page got for each filtered request, by path, top list
 * and filters (one tier busy with the page's first reads may answer degraded; polls follow).
 */
const warmAnswers = new Map<string, Record<string, unknown>>();
const answerKey = (path: string, dimension: string | null, filters: readonly string[]) =>
  `${path} ${dimension ?? ''} ${filters.join('&')}`;

function recordWarmAnswers(of: Page): void {
  of.on('response', async (r) => {
    const url = new URL(r.url());
    if (url.pathname !== '/v1/metrics/top' && !url.pathname.startsWith('/v1/funnels/')) return;
    const body = (await r.json().catch(() => ({}))) as { tiers?: string[] };
    if (body.tiers?.[0] !== 'warm') return;
    warmAnswers.set(
      answerKey(url.pathname, url.searchParams.get('dimension'), url.searchParams.getAll('filter')),
      body,
    );
  });
}

/** The Top products panel shows the latest filtered top list; its products, once it does. */
function expectTopProducts(filter: string): Promise<string[]> {
  return until(`top products of ${filter}`, async () => {
    const body = warmAnswers.get(answerKey('/v1/metrics/top', 'products', [filter])) as
      | { items: { member: string }[] }
      | undefined;
    if (!body) return undefined;
    const want = body.items.slice(0, 8).map((i) => i.member);
    const names = await panel('Top products').locator('ol.top li:not(.empty) .name').allTextContents();
    return names.join() === want.join() ? want : undefined;
  });
}

const filtersInUrl = () => new URL(page.url()).searchParams.getAll('filter');

/** A CSV download from the button `testId`, as the file the browser saved. */
async function downloadCsv(testId: string): Promise<string[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  expect(download.suggestedFilename()).toMatch(/^spate-[a-z0-9-]+\.csv$/);
  const path = await download.path();
  return readFileSync(path, 'utf8').trimEnd().split('\r\n');
}

beforeAll(async () => {
  ensureDashboardBuilt();
  mkdirSync(OUTPUT, { recursive: true });
  stack = await startLocalStackProcess();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  recordWarmAnswers(page);
  load = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'spate.js'),
      'load',
      '--data-dir',
      stack.dataDir,
      '--rate',
      '80',
      '--tweets-rate',
      '2',
      '--duration',
      '420',
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
});

afterAll(async () => {
  load?.kill('SIGTERM');
  await browser?.close();
  await stack?.stop();
});

describe('dashboard filters, comparisons, panels and CSV in headless Chromium', () => {
  it('filters the whole dashboard by a click on a traffic source, in the URL', async () => {
    await page.goto(stack.endpoints.dashboard);
    await until('transport live', async () =>
      (await page.getByTestId('transport').textContent()) === 'live' ? true : undefined,
    );
    const sources = panel('Traffic sources');
    await until('google among the sources', async () =>
      (await rowsOf(sources)).includes('google') ? true : undefined,
    );
    const unfiltered = await until('live events', async () => {
      const n = await number('events-total');
      return n > 200 ? n : undefined;
    });

    // The live top lists and funnel follow the filter too: asked of the query API, which reads
    // them from the warm tier.
    await sources.locator('button.pick', { hasText: /^google$/ }).click();

    expect(filtersInUrl()).toEqual(['source:google']);
    expect(page.url()).toContain('filter=source:google');
    await until('the chip', async () =>
      (await page.getByTestId('filter-chip').allTextContents()).join() === 'source: google×'
        ? true
        : undefined,
    );
    // The tiles are the query API's filtered overview: no "active now" there, and fewer events.
    const filtered = await until('filtered tiles', async () => {
      if ((await page.getByTestId('active-now').textContent()) !== '—') return undefined;
      const n = await number('events-total');
      return n > 0 ? n : undefined;
    });
    expect(filtered).toBeLessThan(unfiltered);
    // The comparison is of the filtered figures too: none of google's events a day or week ago.
    await until('the filtered events compared', async () =>
      (await tileSub('events').textContent()) === 'new vs yesterday · new vs last week' ? true : undefined,
    );
    await until('the tier said', async () =>
      // The tiles from the hot tier's live breakdowns, the chart from the warm tier's rows.
      /from the hot \+ warm tier/.test((await page.getByTestId('filter-source').textContent()) ?? '')
        ? true
        : undefined,
    );
    await expect(panel('Events per 10 s, filtered').count()).resolves.toBe(1);
    // Google's visitors land on a page and move on inside the shop, where their page views have
    // no source of google: the list may well be empty, and the panel says what the answer says.
    await expectTopProducts('source:google');
    await until('the funnel of the filtered events', async () => {
      const funnel = warmAnswers.get(answerKey('/v1/funnels/default', null, ['source:google'])) as
        | { counts: string; steps: { users: number }[] }
        | undefined;
      if (funnel?.counts !== 'visitors') return undefined;
      const first = await panel('Funnel (last 30 min)')
        .locator('table.funnel tr')
        .first()
        .locator('td.num')
        .first()
        .textContent();
      return first === funnel.steps[0]!.users.toLocaleString('en-US') ? true : undefined;
    });
    // Traffic sources now come from the filtered breakdown: google alone.
    await until('sources filtered', async () => {
      const rows = await rowsOf(panel('Traffic sources'));
      return rows.length === 1 && rows[0] === 'google' ? true : undefined;
    });
    await page.screenshot({ path: join(OUTPUT, 'dashboard-filtered.png'), fullPage: true });
  });

  it('adds a second filter by a click on a device, and removes each with its chip', async () => {
    const devices = panel('Devices');
    await until('mobile among devices', async () =>
      (await rowsOf(devices)).includes('mobile') ? true : undefined,
    );
    await devices.locator('button.pick', { hasText: /^mobile$/ }).click();
    expect(filtersInUrl()).toEqual(['source:google', 'device:mobile']);
    await until('devices filtered to mobile', async () => {
      const rows = await rowsOf(devices);
      return rows.join() === 'mobile' ? true : undefined;
    });

    await page.getByRole('button', { name: 'Remove the filter source: google' }).click();
    expect(filtersInUrl()).toEqual(['device:mobile']);
    await page.getByRole('button', { name: 'Remove the filter device: mobile' }).click();
    expect(filtersInUrl()).toEqual([]);
    await until('no chips', async () =>
      (await page.getByTestId('filters').count()) === 0 ? true : undefined,
    );
    // Back on the live view: "active now" is a number again.
    await until('live tiles', async () => (Number.isFinite(await number('active-now')) ? true : undefined));
    await until('the live chart', async () =>
      (await panel('Events per second by type').count()) === 1 ? true : undefined,
    );
  });

  it('opens filtered from a shared link', async () => {
    // With the app's script held back (a fresh page: nothing cached), the first paint is the
    // shell's: a filtered link's tiles show its filtered overview, never the snapshot's figures
    // (all traffic). test/e2e/dashboard-filtered-link.test.ts checks the figures on fixed events.
    const shell = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    let held = 0;
    await shell.route(/\/assets\/.*\.js$/, async (route) => {
      held += 1;
      await new Promise((r) => setTimeout(r, 2500));
      await route.continue().catch(() => undefined);
    });
    const tilesAnswer = shell.waitForResponse((r) => new URL(r.url()).pathname === '/v1/metrics/overview');
    await shell.goto(`${stack.endpoints.dashboard}&filter=device:mobile`, { waitUntil: 'domcontentloaded' });
    const answer = (await (await tilesAnswer).json()) as { events: number; filters: unknown };
    expect(answer.filters).toEqual([{ dimension: 'device', value: 'mobile' }]);
    // The shell asks for the app once it has painted the filtered figures.
    await until('the app script asked for', async () => (held > 0 ? true : undefined));
    expect(await shell.getByTestId('events-total').textContent()).toBe(answer.events.toLocaleString('en-US'));
    expect(await shell.getByTestId('active-now').textContent()).toBe('—');
    await shell.close();

    await page.goto(`${stack.endpoints.dashboard}&filter=device:mobile`);
    await until('the chip', async () =>
      (await page.getByTestId('filter-chip').allTextContents()).join() === 'device: mobile×'
        ? true
        : undefined,
    );
    await until('devices filtered to mobile', async () => {
      const rows = await rowsOf(panel('Devices'));
      return rows.join() === 'mobile' ? true : undefined;
    });
    await until('filtered tiles', async () =>
      (await page.getByTestId('active-now').textContent()) === '—' && (await number('events-total')) > 0
        ? true
        : undefined,
    );
    const sources = await rowsOf(panel('Traffic sources'));
    expect(sources.length).toBeGreaterThan(0);
    // Phones view products: the filtered list has some, as the panel shows.
    const products = await expectTopProducts('device:mobile');
    expect(products.length).toBeGreaterThan(0);
  });

  it('lays out filtered at a desktop, a laptop and a phone width with nothing cut short or overlapping', async () => {
    for (const size of LAYOUT_WIDTHS) {
      await page.setViewportSize({ width: size.width, height: size.height });
      const problems = await until(
        `a settled layout at ${size.width} px`,
        async () => {
          await new Promise((r) => setTimeout(r, 500));
          const found = await layoutProblems(page);
          return found.some((p) => p.includes('no x-axis labels')) ? undefined : found;
          // The tweets chart draws once the NLP worker has scored the first tweets.
        },
        150_000,
      );
      await page.screenshot({ path: join(OUTPUT, `dashboard-filtered-${size.name}.png`), fullPage: true });
      expect({ width: size.width, problems }).toEqual({ width: size.width, problems: [] });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('downloads a panel as CSV: a header and a row per item shown', async () => {
    const devices = await downloadCsv('csv-devices');
    expect(devices[0]).toBe('device,visitors');
    expect(devices.slice(1)).toEqual([expect.stringMatching(/^mobile,\d+$/)]);

    await page.goto(stack.endpoints.dashboard);
    await rowsOf(panel('Traffic sources'));
    const sources = await downloadCsv('csv-traffic-sources');
    expect(sources[0]).toBe('source,count');
    expect(sources.length).toBeGreaterThan(1);
    for (const row of sources.slice(1)) expect(row).toMatch(/^[^,]+,\d+$/);

    const events = await downloadCsv('csv-events');
    expect(events[0]).toMatch(/^time,/);
    expect(events[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z,/);
  });

  it('shows each tile against yesterday and last week, and conversion rate and order value', async () => {
    // A fresh stack has no events a day or a week ago: events are new against both.
    await until('the events tile compared', async () =>
      (await tileSub('events').textContent()) === 'new vs yesterday · new vs last week' ? true : undefined,
    );
    // Every tile carries the line (no conversion rate of no visitors: a dash).
    const change = String.raw`(new|—|[+\u2212]?[\d,]+%)`;
    const line = new RegExp(`^${change} vs yesterday · ${change} vs last week$`);
    const lines = await until('a comparison under every tile', async () => {
      const found = await page.locator('.tile-sub').allTextContents();
      return found.length === 8 && found.every((l) => line.test(l)) ? found : undefined;
    });
    expect(lines).toHaveLength(8);
    await until('a conversion rate', async () =>
      /^\d+\.\d%$/.test((await page.getByTestId('conversion-rate').textContent()) ?? '') ? true : undefined,
    );
    await until('an order value', async () =>
      /^[\d,]+(\.\d+)? EUR$/.test((await page.getByTestId('order-value').textContent()) ?? '')
        ? true
        : undefined,
    );
  });

  it('shows top carts, top purchases, top paths, countries and campaigns', async () => {
    for (const title of ['Top carts', 'Top purchases', 'Countries', 'Campaigns'])
      expect((await rowsOf(panel(title))).length).toBeGreaterThan(0);
    // `spate local` has no geo database (SPATE_GEO_DB): every visitor is of no country.
    expect(await rowsOf(panel('Countries'))).toEqual(['(none)']);
    expect(await rowsOf(panel('Campaigns'))).toEqual(expect.arrayContaining(['spring']));
    const paths = await rowsOf(page.getByTestId('journeys'));
    for (const path of paths) expect(path.split(' → ')).toHaveLength(3);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-panels.png'), fullPage: true });
  });
});
