import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
/** What Chromium refused under the site's Content-Security-Policy, as it says so on the console. */
const policyViolations: string[] = [];
/** Components stopped with SIGSTOP, resumed in afterAll whatever happens. */
const paused = new Set<number>();

/**
 * The pid of a `spate local` component, from the gateway's health report, once the component is
 * healthy: a component the supervisor is restarting (after an earlier test's pause) has no pid yet.
 */
async function pidOf(component: string): Promise<number> {
  return until(`${component} healthy with a pid`, async () => {
    const health = (await (await fetch(stack.endpoints.health)).json()) as {
      components: Record<string, { healthy?: boolean; detail?: string }>;
    };
    const state = health.components[component];
    const pid = Number(/pid (\d+)/.exec(state?.detail ?? '')?.[1]);
    return state?.healthy && pid > 0 ? pid : undefined;
  });
}

// Stopped, not killed: the supervisor would restart a dead one before the page could tell.
function pause(pid: number): void {
  process.kill(pid, 'SIGSTOP');
  paused.add(pid);
}

function resume(pid: number): void {
  process.kill(pid, 'SIGCONT');
  paused.delete(pid);
}

async function bannerText(): Promise<string | undefined> {
  const banner = page.getByTestId('degraded-banner');
  return (await banner.count()) > 0 ? ((await banner.textContent()) ?? '') : undefined;
}

async function number(testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Number(text.replace(/[^0-9.]/g, '') || Number.NaN);
}

const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) =>
  waitUntil(what, probe, timeoutMs, () => stack.log());

beforeAll(async () => {
  ensureDashboardBuilt();
  mkdirSync(OUTPUT, { recursive: true });
  stack = await startLocalStackProcess();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
  });
});

afterAll(async () => {
  for (const pid of paused) process.kill(pid, 'SIGCONT');
  load?.kill('SIGTERM');
  await browser?.close();
  await stack?.stop();
});

describe('dashboard in headless Chromium', () => {
  it('opens from the local gateway and goes live over the WebSocket', async () => {
    const response = await page.goto(stack.endpoints.dashboard);
    // The site's policy as CloudFront sends it: the inline scripts run by hash, nothing is refused.
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
    await until('transport live', async () =>
      (await page.getByTestId('transport').textContent()) === 'live' ? true : undefined,
    );
    // Components settle within seconds of start (consumer groups join, first ops poll).
    await until('no degraded banner', async () =>
      (await page.getByTestId('degraded-banner').count()) === 0 ? true : undefined,
    );
    expect(policyViolations).toEqual([]);
  });

  it('shows numbers that change while spate load runs', async () => {
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
        '4',
        '--duration',
        '240',
      ],
      { cwd: ROOT, stdio: 'ignore' },
    );
    const first = await until('first events', async () => {
      const n = await number('events-total');
      return n > 0 ? n : undefined;
    });
    const later = await until('events to grow', async () => {
      const n = await number('events-total');
      return n > first ? n : undefined;
    });
    expect(later).toBeGreaterThan(first);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-live.png'), fullPage: true });
  });

  it('shows the live sessions of the load: sessions started, their figures and a chart per minute', async () => {
    const sessions = await until('sessions to start', async () => {
      const n = await number('sessions-count');
      return n > 0 ? n : undefined;
    });
    expect(sessions).toBeGreaterThan(0);
    expect(await page.getByTestId('sessions-bounce-rate').textContent()).toMatch(/^\d+(\.\d)? %$/);
    expect(await page.getByTestId('sessions-duration').textContent()).toMatch(/^\d+ (s|min)/);
    expect(await number('sessions-pages')).toBeGreaterThanOrEqual(0);
    // The chart of sessions per minute drew its 30 minutes: it reports where its time labels went.
    await until('the sessions chart drawn', async () => {
      const labels = await page.getByTestId('sessions-chart').getAttribute('data-x-labels');
      return JSON.parse(labels ?? '[]').length > 0 ? true : undefined;
    });
    await page.getByTestId('sessions-panel').screenshot({ path: join(OUTPUT, 'dashboard-sessions.png') });
  });

  it('shows tweets: volume, sentiment by topic and hashtags, through the NLP worker', async () => {
    const tweets = await until(
      'tweets to arrive',
      async () => {
        const text = (await page.getByTestId('tweets-count').textContent()) ?? '';
        const n = Number(/^([\d,]+) tweets/.exec(text)?.[1]?.replace(/,/g, '') ?? 0);
        return n > 0 ? n : undefined;
      },
      120_000,
    );
    expect(tweets).toBeGreaterThan(0);
    await until('hashtags listed', async () =>
      (await page.getByTestId('hashtags').locator('li:not(.empty)').count()) > 0 ? true : undefined,
    );
    await page.getByTestId('tweets-panel').screenshot({ path: join(OUTPUT, 'dashboard-tweets.png') });
  });

  it('lays out at a desktop, a laptop and a phone width with nothing cut short or overlapping', async () => {
    for (const size of LAYOUT_WIDTHS) {
      await page.setViewportSize({ width: size.width, height: size.height });
      // The charts redraw on resize (a ResizeObserver), a frame or more after the window
      // changes, and report where their labels went.
      await expect
        .poll(() => layoutProblems(page), { message: `${size.width} px`, timeout: 15_000 })
        .toEqual([]);
      await page.screenshot({ path: join(OUTPUT, `dashboard-${size.name}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('says the hot tier is down when redis-server stops, and keeps the last numbers', async () => {
    const pid = await pidOf('redis');
    const before = await number('events-total');
    pause(pid);
    const text = await until('degraded banner', bannerText);
    expect(text).toMatch(/redis/i);
    expect(text).toMatch(/last good numbers, \d+ (s|min) old/);
    expect(await number('events-total')).toBeGreaterThanOrEqual(before);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-degraded.png'), fullPage: true });
    resume(pid);
    await until('banner to clear', async () => ((await bannerText()) === undefined ? true : undefined));
  });

  it('says the warm tier is down when the ClickHouse endpoint stops, and recovers', async () => {
    const pid = await pidOf('clickhouse');
    pause(pid);
    const text = await until('clickhouse banner', async () => {
      const t = await bannerText();
      return t && /clickhouse \(warm tier\) is down/.test(t) ? t : undefined;
    });
    expect(text).toMatch(/\d+ (s|min) old/);
    // The live panels still come from the hot tier.
    expect(await number('events-total')).toBeGreaterThan(0);
    resume(pid);
    await until('banner to clear', async () => ((await bannerText()) === undefined ? true : undefined));
  });

  it('says the stream is down when the broker stops, with the age of the last numbers, and recovers', async () => {
    const pid = await pidOf('kafka');
    pause(pid);
    const text = await until('kafka banner', async () => {
      const t = await bannerText();
      return t && /kafka \(stream tier\) is down/.test(t) ? t : undefined;
    });
    expect(text).toMatch(/last good numbers, \d+ (s|min) old/);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-broker-down.png'), fullPage: true });
    resume(pid);
    await until(
      'banner to clear',
      async () => ((await bannerText()) === undefined ? true : undefined),
      120_000,
    );
  });
});
