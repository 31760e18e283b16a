import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDashboardBuilt,
  type LocalStackProcess,
  ROOT,
  startLocalStackProcess,
} from './local-stack-process.ts';

const OUTPUT = join(ROOT, 'test-output');

let stack: LocalStackProcess;
let browser: Browser;
let page: Page;
let load: ChildProcess | undefined;
let pausedRedis: number | undefined;

async function number(testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Number(text.replace(/[^0-9.]/g, '') || Number.NaN);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms\n${stack.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  ensureDashboardBuilt();
  mkdirSync(OUTPUT, { recursive: true });
  stack = await startLocalStackProcess();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
});

afterAll(async () => {
  if (pausedRedis) process.kill(pausedRedis, 'SIGCONT');
  load?.kill('SIGTERM');
  await browser?.close();
  await stack?.stop();
});

describe('dashboard in headless Chromium', () => {
  it('opens from the local gateway and goes live over the WebSocket', async () => {
    await page.goto(stack.endpoints.dashboard);
    await until('transport live', async () =>
      (await page.getByTestId('transport').textContent()) === 'live' ? true : undefined,
    );
    // Components settle within seconds of start (consumer groups join, first ops poll).
    await until('no degraded banner', async () =>
      (await page.getByTestId('degraded-banner').count()) === 0 ? true : undefined,
    );
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
        '--duration',
        '120',
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

  it('says the hot tier is down when redis-server stops, and keeps the last numbers', async () => {
    const health = (await (await fetch(stack.endpoints.health)).json()) as {
      components: Record<string, { detail?: string }>;
    };
    const pid = Number(/pid (\d+)/.exec(health.components.redis?.detail ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    const before = await number('events-total');
    // Stopped, not killed: the supervisor would restart a dead one before the page could tell.
    process.kill(pid, 'SIGSTOP');
    pausedRedis = pid;
    const banner = await until('degraded banner', async () =>
      (await page.getByTestId('degraded-banner').count()) > 0
        ? page.getByTestId('degraded-banner')
        : undefined,
    );
    expect(await banner.textContent()).toMatch(/redis/i);
    expect(await number('events-total')).toBeGreaterThanOrEqual(before);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-degraded.png'), fullPage: true });
    process.kill(pid, 'SIGCONT');
    pausedRedis = undefined;
    await until('banner to clear', async () =>
      (await page.getByTestId('degraded-banner').count()) === 0 ? true : undefined,
    );
  });
});
