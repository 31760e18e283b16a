/**
 * Dashboard first paint and overview query latency against `spate local` as `npm start` runs it
 * (the local gateway serving the built dashboard and the query API, the demo traffic on), then
 * once more with `spate load` adding five times the demo's event rate.
 *
 * Before measuring, 30 minutes of the demo's traffic are sent stamped in the past, so the hot
 * tier is as deep as on a stack that has run that long (the live panels' windows full), and
 * every consumer is let take it in.
 * First paint: the time is the page's own mark `spate:first-numbers` (set just after the frame
 * that first shows the snapshot's numbers is painted), relative to navigation start. A first
 * visit is a new tab of a running browser with nothing of the site cached or stored, and the
 * last visit's connection closed by the server; a fresh browser profile (a new Playwright
 * context, which Chromium sets up storage and a network context for) is timed as well, and a
 * return visit. The harness stays off the page until the page asks for its app script, which
 * it does right after that frame: Playwright's polling helpers inject a 300 KB script into the
 * page, and evaluated before the frame it delays the very thing measured. Visits are at least a
 * second apart, so one visit's app start and teardown do not fall inside the next one's
 * measurement. The first visits alternate with first visits of the same link filtered
 * (`&filter=source:google`), whose tiles index.html paints from the filtered overview instead of
 * the snapshot: the target is that link's first paint within 20% of the plain one's.
 * /v1/snapshot is also timed
 * from Node, and what computing it from the aggregates would cost.
 * Overview: sequential GET /v1/metrics/overview from Node with the dashboard token, for the
 * default live range (5 min), the last hour, and three days (hot + warm tiers).
 *
 * Run: npx tsx bench/dashboard/first-paint.ts [rounds=3] [navigations=30] [queries=200]
 * Needs /usr/bin/chromium. Prints per-round lines on stderr, a JSON summary (medians of the
 * rounds' percentiles) on the last line, and writes bench/dashboard/report.json and REPORT.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { type Browser, chromium, type Page } from 'playwright-core';
import { funnelFor, parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import { ALL_CHANNELS } from '../../core/push/channels.ts';
import { LiveAggregates } from '../../io/push/live-aggregates.ts';
import { type LocalStackProcess, ROOT, startLocalStackProcess } from '../../test/e2e/local-stack-process.ts';
import { median, percentile } from '../percentile.ts';
import { backfillShopTraffic } from './backfill.ts';
import { firstPaintMarkdown } from './report-md.ts';

const rounds = Number(process.argv[2] ?? 3);
const navigations = Number(process.argv[3] ?? 30);
const queries = Number(process.argv[4] ?? 200);
const loadAverage = () => Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
const MARK = 'spate:first-numbers';
const log = (line: string) => process.stderr.write(`${line}\n`);

const r1 = (n: number) => Math.round(n * 10) / 10;
const stats = (xs: readonly number[]) => ({
  p50: r1(percentile(xs, 50)),
  p95: r1(percentile(xs, 95)),
  p99: r1(percentile(xs, 99)),
  max: r1(Math.max(...xs)),
});

// The dashboard as the source is now, not as an earlier install built it.
execFileSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'dashboard/vite.config.ts'],
  { cwd: ROOT, stdio: 'inherit' },
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Between visits: a visit's app start (after its first numbers) and teardown stay out of the next. */
const VISIT_GAP_MS = 1000;
/**
 * Between first visits in one browser: longer than the gateway's keep-alive (Node's 5 s), so
 * the server has closed the last visit's connection.
 */
const FIRST_VISIT_GAP_MS = 5500;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];

/**
 * Navigates and waits, without touching the page, until it requests a script under /assets/:
 * the dashboard starts its app script just after the frame with the numbers (or after 1.5 s
 * without them), the floor page its own marker request.
 */
async function visitUntilPainted(page: Page, url: string): Promise<void> {
  const painted = page.waitForRequest((r) => new URL(r.url()).pathname.startsWith('/assets/'), {
    timeout: 30_000,
  });
  await page.goto(url, { waitUntil: 'commit' });
  await painted;
}

/**
 * 'first': a new tab of one running browser for each navigation, its HTTP cache and the site's
 * storage cleared first and the last connection closed by the server: a first visit as a
 * dashboard link opens it. 'fresh-profile': each navigation in a new browser context (a profile
 * never used: Chromium also sets up its storage and network context).
 * 'return': one tab for all of them, so the app's script and the connection are warm.
 */
type Visit = 'first' | 'fresh-profile' | 'return';

/** Tabs for each navigation of one kind of visit, and what to do between them. */
async function visitTabs(browser: Browser, visit: Visit, origin: string) {
  const newContext = () => browser.newContext({ viewport: { width: 1440, height: 900 } });
  if (visit === 'fresh-profile')
    return {
      open: async () => (await newContext()).newPage(),
      close: (page: Page) => page.context().close(),
      gapMs: VISIT_GAP_MS,
    };
  const context = await newContext();
  if (visit === 'return') {
    const page = await context.newPage();
    return { open: async () => page, close: async () => undefined, gapMs: VISIT_GAP_MS };
  }
  // A tab that stays open, as the rest of a running browser does, to clear the cache from.
  const keeper = await context.newPage();
  const cdp = await context.newCDPSession(keeper);
  return {
    open: async () => {
      await cdp.send('Network.clearBrowserCache');
      await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' });
      return context.newPage();
    },
    close: (page: Page) => page.close(),
    gapMs: FIRST_VISIT_GAP_MS,
  };
}

/** What one visit measured, from the page's own timing entries. */
type PaintSample = Record<
  | 'mark'
  | 'fcp'
  | 'snapshot'
  | 'snapshotServer'
  | 'snapshotStart'
  | 'domContentLoaded'
  | 'html'
  | 'tilesOverview'
  | 'tilesOverviewServer',
  number
>;
type PaintTimes = { [K in keyof PaintSample]: number[] };

async function measureVisit(page: Page, url: string): Promise<PaintSample> {
  await visitUntilPainted(page, url);
  // The paint entry is queued once the frame is presented, a little after the mark.
  await sleep(200);
  // Inline callbacks only: tsx names a function bound to a const with a helper the page lacks.
  const t = await page.evaluate((name) => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const nav = performance.getEntriesByType('navigation' as 'mark')[0] as unknown as
      | { domContentLoadedEventEnd?: number; responseEnd?: number }
      | undefined;
    return {
      mark: performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN,
      fcp: paint?.startTime ?? Number.NaN,
      domContentLoaded: nav?.domContentLoadedEventEnd ?? Number.NaN,
      html: nav?.responseEnd ?? Number.NaN,
      // Node's types lack the DOM's timing entries: read the fields we use.
      resources: performance.getEntriesByType('resource').map((entry) => {
        const e = entry as unknown as {
          name: string;
          startTime: number;
          responseEnd: number;
          serverTiming?: { name: string; duration: number }[];
        };
        return {
          path: new URL(e.name).pathname,
          startTime: e.startTime,
          responseEnd: e.responseEnd,
          // The gateway's own time (its Server-Timing header): the rest is the network and the browser.
          gateway: e.serverTiming?.find((s) => s.name === 'gateway')?.duration ?? Number.NaN,
        };
      }),
    };
  }, MARK);
  const snap = t.resources.find((r) => r.path === '/v1/snapshot');
  // A filtered link's tiles: the filtered overview index.html asks for beside the snapshot.
  const tiles = t.resources.find((r) => r.path === '/v1/metrics/overview');
  return {
    mark: t.mark,
    fcp: t.fcp,
    snapshot: snap ? snap.responseEnd - snap.startTime : Number.NaN,
    snapshotServer: snap?.gateway ?? Number.NaN,
    snapshotStart: snap?.startTime ?? Number.NaN,
    domContentLoaded: t.domContentLoaded,
    html: t.html,
    tilesOverview: tiles ? tiles.responseEnd - tiles.startTime : Number.NaN,
    tilesOverviewServer: tiles?.gateway ?? Number.NaN,
  };
}

/**
 * Visits of each of `urls` (the dashboard link by default), `navigations` each, interleaved in
 * one browser: each navigation visits every link, in turn, the order reversed every other time,
 * so a drift of the machine's load over the run falls on each link alike.
 */
async function firstPaints(
  stack: LocalStackProcess,
  visit: Visit = 'first',
  urls: readonly string[] = [stack.endpoints.dashboard],
): Promise<PaintTimes[]> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const times = urls.map(
    (): PaintTimes => ({
      mark: [],
      fcp: [],
      snapshot: [],
      snapshotServer: [],
      snapshotStart: [],
      domContentLoaded: [],
      html: [],
      tilesOverview: [],
      tilesOverviewServer: [],
    }),
  );
  try {
    const tabs = await visitTabs(browser, visit, new URL(stack.endpoints.dashboard).origin);
    for (let i = 0; i < navigations; i++) {
      const order = urls.map((_, u) => u);
      if (i % 2 === 1) order.reverse();
      for (const u of order) {
        const page = await tabs.open();
        const sample = await measureVisit(page, urls[u] as string);
        const into = times[u] as PaintTimes;
        for (const key of Object.keys(sample) as (keyof PaintSample)[]) into[key].push(sample[key]);
        await tabs.close(page);
        await sleep(tabs.gapMs);
      }
    }
  } finally {
    await browser.close();
  }
  return times;
}

/**
 * Chromium's own floor on this machine: the same kind of visit to a page of one line of text
 * served by a bare Node server, timed to the same mark after its first frame.
 */
async function browserFloor(visit: Exclude<Visit, 'return'>): Promise<number[]> {
  const page = `<!doctype html><title>floor</title><h1>1,234</h1><script>requestAnimationFrame(() => setTimeout(() => { performance.mark('${MARK}'); fetch('/assets/painted'); }, 0))</script>`;
  const server = createServer((req, res) =>
    req.url?.startsWith('/assets/')
      ? res.writeHead(204).end()
      : res.writeHead(200, { 'content-type': 'text/html' }).end(page),
  );
  // The server closes each visit's connection, as the gateway has by the next first visit, without
  // the wait for its keep-alive.
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const marks: number[] = [];
  try {
    const origin = `http://127.0.0.1:${port}`;
    const tabs = await visitTabs(browser, visit, origin);
    for (let i = 0; i < navigations; i++) {
      const tab = await tabs.open();
      await visitUntilPainted(tab, `${origin}/`);
      marks.push(
        await tab.evaluate((name) => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN, MARK),
      );
      await tabs.close(tab);
      await sleep(VISIT_GAP_MS);
    }
  } finally {
    await browser.close();
    server.close();
  }
  return marks;
}

async function apiTimes(stack: LocalStackProcess, path: string): Promise<number[]> {
  const url = `${stack.endpoints.http}${path}`;
  const headers = { authorization: `Bearer ${stack.endpoints.dashboardToken}` };
  const times: number[] = [];
  for (let i = 0; i < queries + 10; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = (await response.json()) as { events?: number; channels?: object };
    const ms = performance.now() - started;
    if (response.status !== 200 || (typeof body.events !== 'number' && typeof body.channels !== 'object'))
      throw new Error(`${path}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
    // The first few warm connections and the function instance up.
    if (i >= 10) times.push(ms);
  }
  return times;
}

/**
 * What /v1/snapshot would cost computed from the aggregates (every channel, as the query API
 * does when the broadcaster has recorded none lately), timed from Node against the stack's Redis.
 */
async function computedSnapshotTimes(stack: LocalStackProcess): Promise<number[]> {
  const redis = new Redis(stack.endpoints.redis);
  const funnel = funnelFor(parseFunnelCatalog(undefined), stack.endpoints.project);
  const times: number[] = [];
  try {
    for (let i = 0; i < queries + 10; i++) {
      const started = performance.now();
      const live = new LiveAggregates(redis, stack.endpoints.project, funnel, Date.now());
      JSON.stringify(await Promise.all(ALL_CHANNELS.map((c) => live.snapshot(c))));
      if (i >= 10) times.push(performance.now() - started);
    }
  } finally {
    redis.disconnect();
  }
  return times;
}

/**
 * Waits until every consumer has taken in the backfill, so the visits time a stack that keeps
 * up, not one catching up: the live ones within a second of the demo's traffic, the warehouse
 * and archive ones (which write in batches) within half a minute.
 */
async function caughtUp(stack: LocalStackProcess): Promise<number> {
  const live = new Set(['spate-realtime', 'spate-windows', 'spate-funnels', 'spate-broadcast']);
  const allowedLag = (group: string) => (live.has(group) ? 20 : 600);
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${stack.endpoints.http}/v1/ops`, {
      headers: { authorization: `Bearer ${stack.endpoints.dashboardToken}` },
    });
    const ops = (await response.json()) as { consumers?: { group: string; lag: number }[] };
    const behind = (ops.consumers ?? []).filter((c) => c.lag > allowedLag(c.group));
    if ((ops.consumers ?? []).length > 0 && behind.length === 0)
      return Math.round(performance.now() - started);
    if (performance.now() - started > 180_000)
      throw new Error(`the stack did not count the backfill within 3 min: ${JSON.stringify(behind)}`);
    await sleep(500);
  }
}

/** `spate load` adding `rate` events a second to the stack's own demo traffic. */
function extraLoad(stack: LocalStackProcess, rate: number) {
  return spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'spate.js'),
      'load',
      '--data-dir',
      stack.dataDir,
      '--rate',
      String(rate),
      '--duration',
      '600',
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
}

const EXTRA_RATE = 100;
/**
 * The filtered link's filter: a traffic source the demo's shoppers come from (load/shopper-journey.ts,
 * two referrers in nine are Google); `spate local` has no geo database, so no country would do.
 */
const FILTER = 'source:google';

const results: Record<string, number>[] = [];
for (let round = 1; round <= rounds; round++) {
  // As `npm start` runs it: every component and the demo traffic (20 events and 2 tweets a second).
  const stack = await startLocalStackProcess({ demo: true });
  let load: ReturnType<typeof extraLoad> | undefined;
  try {
    // A hot tier as deep as after half an hour of the demo's traffic, then time to count it.
    const backfilled = await backfillShopTraffic(stack.endpoints.http, stack.endpoints.writeKey, {
      seconds: 30 * 60,
      rate: 20,
    });
    log(`round ${round}: backfilled ${backfilled} events, taken in after ${await caughtUp(stack)} ms`);
    // The backfill's own burst of work (its requests, the batch writers) out of the way.
    await sleep(5000);
    // No dashboard open: the broadcaster records every channel for the query API while events flow.
    const [paints, filtered] = (await firstPaints(stack, 'first', [
      stack.endpoints.dashboard,
      `${stack.endpoints.dashboard}&filter=${FILTER}`,
    ])) as [PaintTimes, PaintTimes];
    const [fresh] = (await firstPaints(stack, 'fresh-profile')) as [PaintTimes];
    const [returns] = (await firstPaints(stack, 'return')) as [PaintTimes];
    const floor = await browserFloor('first');
    const freshFloor = await browserFloor('fresh-profile');
    const demoLoadAverage = loadAverage();
    const served = stats(await apiTimes(stack, '/v1/snapshot'));
    const computed = stats(await computedSnapshotTimes(stack));
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const daysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const live = stats(await apiTimes(stack, '/v1/metrics/overview'));
    const hour = stats(await apiTimes(stack, `/v1/metrics/overview?from=${hourAgo}`));
    const days = stats(await apiTimes(stack, `/v1/metrics/overview?from=${daysAgo}`));
    // Busier: five times the demo's event rate on top of it.
    load = extraLoad(stack, EXTRA_RATE);
    await sleep(8000);
    const [busy] = (await firstPaints(stack)) as [PaintTimes];
    const row = {
      loadAverage: demoLoadAverage,
      busyLoadAverage: loadAverage(),
      firstNumbersP50: r1(percentile(paints.mark, 50)),
      firstNumbersP95: r1(percentile(paints.mark, 95)),
      firstNumbersMax: r1(Math.max(...paints.mark)),
      htmlP50: r1(percentile(paints.html, 50)),
      fcpP50: r1(percentile(paints.fcp, 50)),
      fcpP95: r1(percentile(paints.fcp, 95)),
      domContentLoadedP50: r1(percentile(paints.domContentLoaded, 50)),
      snapshotStartP50: r1(percentile(paints.snapshotStart, 50)),
      snapshotRequestP50: r1(percentile(paints.snapshot, 50)),
      snapshotRequestP95: r1(percentile(paints.snapshot, 95)),
      snapshotServerP50: r1(percentile(paints.snapshotServer, 50)),
      snapshotServerP95: r1(percentile(paints.snapshotServer, 95)),
      filteredFirstNumbersP50: r1(percentile(filtered.mark, 50)),
      filteredFirstNumbersP95: r1(percentile(filtered.mark, 95)),
      filteredFirstNumbersMax: r1(Math.max(...filtered.mark)),
      filteredOverviewRequestP50: r1(percentile(filtered.tilesOverview, 50)),
      filteredOverviewRequestP95: r1(percentile(filtered.tilesOverview, 95)),
      filteredOverviewServerP50: r1(percentile(filtered.tilesOverviewServer, 50)),
      filteredOverviewServerP95: r1(percentile(filtered.tilesOverviewServer, 95)),
      freshProfileFirstNumbersP50: r1(percentile(fresh.mark, 50)),
      freshProfileFirstNumbersP95: r1(percentile(fresh.mark, 95)),
      freshProfileSnapshotServerP95: r1(percentile(fresh.snapshotServer, 95)),
      returnFirstNumbersP50: r1(percentile(returns.mark, 50)),
      returnFirstNumbersP95: r1(percentile(returns.mark, 95)),
      returnFcpP50: r1(percentile(returns.fcp, 50)),
      returnFcpP95: r1(percentile(returns.fcp, 95)),
      floorFirstVisitP50: r1(percentile(floor, 50)),
      floorFirstVisitP95: r1(percentile(floor, 95)),
      floorFreshProfileP50: r1(percentile(freshFloor, 50)),
      floorFreshProfileP95: r1(percentile(freshFloor, 95)),
      busyFirstNumbersP50: r1(percentile(busy.mark, 50)),
      busyFirstNumbersP95: r1(percentile(busy.mark, 95)),
      busySnapshotServerP95: r1(percentile(busy.snapshotServer, 95)),
      snapshotApiP50: served.p50,
      snapshotApiP95: served.p95,
      snapshotComputedP50: computed.p50,
      snapshotComputedP95: computed.p95,
      overview5mP50: live.p50,
      overview5mP95: live.p95,
      overview5mP99: live.p99,
      overview1hP95: hour.p95,
      overview3dP95: days.p95,
    };
    log(`round ${round}: ${JSON.stringify(row)}`);
    results.push(row);
  } finally {
    load?.kill('SIGTERM');
    await stack.stop();
  }
}
const summary: Record<string, number> = {};
for (const key of Object.keys(results[0] ?? {})) summary[key] = median(results.map((r) => r[key] as number));
const report = {
  at: new Date().toISOString(),
  extraRate: EXTRA_RATE,
  filter: FILTER,
  machine: {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
  },
  rounds,
  navigations,
  queries,
  medianOfRounds: summary,
  perRound: results,
};
writeFileSync(join(ROOT, 'bench', 'dashboard', 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(ROOT, 'bench', 'dashboard', 'REPORT.md'), firstPaintMarkdown(report));
console.log(JSON.stringify({ rounds, navigations, queries, medianOfRounds: summary }));
