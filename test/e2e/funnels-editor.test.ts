import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import { migrate } from '../../io/clickhouse/migration.ts';
import { MIGRATIONS } from '../../io/clickhouse/migrations/index.ts';
import { connectLiveRedis } from '../../io/push/redis-link.ts';
import { createFunnelsFunction } from '../../lambdas/funnels/handler.ts';
import { createQueryRoutes, QUERY_ROUTE_KEYS } from '../../lambdas/query/routes.ts';
import { startGateway } from '../../local/gateway/index.ts';
import type { RunningGateway } from '../../local/gateway/types.ts';
import { createLambdaContext } from '../../local/lambda/context.ts';
import {
  type ColdArchiveStack,
  startColdArchiveStack,
} from '../integration/aggregation/cold-archive-stack.ts';
import { startTestRedis, type TestRedis } from '../integration/aggregation/redis-server.ts';
import { PROJECT, SECRET, tokenFor } from '../integration/push/push-stack.ts';
import { enrichedEvent, mskEventOf } from '../unit/aggregation/factories.ts';
import { launchChromium } from './headless-chromium.ts';
import { LAYOUT_WIDTHS, layoutProblems } from './layout-probe.ts';
import { ROOT } from './local-stack-process.ts';

// The dashboard as built now, into a folder of its own (dashboard/dist may be another's build),
// served by the local gateway beside the query API on chDB and redis-server.
let dist: string;
let stack: ColdArchiveStack;
let redis: TestRedis;
let gateway: RunningGateway;
let browser: Browser;
let page: Page;
let closeRedis: () => void;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'spate-funnels-dist-'));
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'dashboard/vite.config.ts',
      '--outDir',
      dist,
      '--emptyOutDir',
    ],
    { cwd: ROOT, stdio: 'ignore' },
  );
  stack = await startColdArchiveStack('funnels-editor');
  // The schema the warehouse function makes when it starts: the dashboard's other panels ask too.
  await migrate(stack.client, MIGRATIONS);
  redis = await startTestRedis();
  const live = connectLiveRedis(redis.url, 2000);
  closeRedis = () => live.disconnect();
  const route = createQueryRoutes({
    redis: live,
    clickhouse: stack.client,
    cold: stack.cold,
    kafkaAdmin: () => Promise.reject(new Error('no broker in this test')),
    tokenKey: async () => SECRET,
    funnels: parseFunnelCatalog(undefined),
    tierTimeoutMs: 15_000,
  });
  gateway = await startGateway({
    httpRoutes: QUERY_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'query', handler: route })),
    staticDir: dist,
    log: () => undefined,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
  closeRedis?.();
  await stack?.close();
  await redis?.stop();
  if (dist) rmSync(dist, { recursive: true, force: true });
});

async function storedFunnels(): Promise<
  Array<{ id: string; name: string; steps: Array<{ label: string }> }>
> {
  const response = await fetch(`${gateway.httpUrl}/v1/funnels`, {
    headers: { authorization: `Bearer ${tokenFor(PROJECT)}` },
  });
  return ((await response.json()) as { funnels: never[] }).funnels;
}

describe('the funnels editor in headless Chromium', () => {
  it('creates, refuses, edits and deletes a funnel through the query API', async () => {
    await page.goto(`${gateway.httpUrl}/?token=${encodeURIComponent(tokenFor(PROJECT))}`);
    const editor = page.getByTestId('funnels-editor');
    await expect.poll(() => editor.locator('li').count(), { timeout: 30_000 }).toBe(1);

    await page.getByTestId('funnel-name').fill('Pro checkout');
    await page.getByTestId('funnel-steps').fill('page_view+product\nadd_to_cart\npurchase plan=pro');
    await editor.getByRole('button', { name: 'Create funnel' }).click();
    await expect.poll(() => editor.locator('li').count(), { timeout: 10_000 }).toBe(2);
    await expect
      .poll(() => editor.locator('li').nth(1).textContent())
      .toContain('page_view+product → add_to_cart → purchase[plan=pro]');
    const [, created] = await storedFunnels();
    expect(created).toMatchObject({ name: 'Pro checkout' });
    // Its live counts, from the hot tier, once a visitor goes through it.
    const funnels = createFunnelsFunction({
      redis: { url: redis.url },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
      funnels: parseFunnelCatalog(undefined),
      clickhouse: { url: stack.endpoint.url, username: 'default', password: '', database: 'default' },
    });
    const t = Date.now();
    const visit = [
      { type: 'page_view' as const, product: { id: 'p1' } },
      { type: 'add_to_cart' as const, product: { id: 'p1' } },
      { type: 'purchase' as const, properties: { plan: 'pro' } },
    ].map((e, i) =>
      enrichedEvent({ ...e, project: PROJECT, user_id: 'buyer', timestamp: new Date(t + i).toISOString() }),
    );
    await funnels.handler(mskEventOf(visit), createLambdaContext('funnels'));
    await funnels.close();
    await expect
      .poll(() => page.getByTestId(`funnel-counts-${created!.id}`).textContent(), { timeout: 30_000 })
      .toContain('1 → 1 → 1 in 30 min');
    // The editor fits the page at every width the dashboard is checked at.
    for (const { width, height } of LAYOUT_WIDTHS) {
      await page.setViewportSize({ width, height });
      // The charts redraw on resize (a ResizeObserver), a frame or more after the window changes.
      await expect.poll(() => layoutProblems(page), { message: `${width} px`, timeout: 15_000 }).toEqual([]);
      const overflow = await editor.evaluate((el) => {
        const box = el as unknown as { scrollWidth: number; clientWidth: number };
        return box.scrollWidth - box.clientWidth;
      });
      expect(overflow, `the editor at ${width} px`).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    // A bad step: the API's 400, naming the step, is shown; nothing is stored.
    await page.getByTestId('funnel-name').fill('Broken');
    await page.getByTestId('funnel-steps').fill('Page View\npurchase');
    await editor.getByRole('button', { name: 'Create funnel' }).click();
    await expect.poll(() => editor.getByRole('alert').textContent()).toContain('steps[0].type');
    expect(await storedFunnels()).toHaveLength(2);

    await editor.locator('li').nth(1).getByRole('button', { name: 'Edit' }).click();
    expect(await page.getByTestId('funnel-steps').inputValue()).toBe(
      'page_view+product\nadd_to_cart\npurchase plan=pro',
    );
    await page.getByTestId('funnel-name').fill('Straight to purchase');
    await page.getByTestId('funnel-steps').fill('page_view\npurchase');
    await editor.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await storedFunnels())[1]?.name).toBe('Straight to purchase');
    expect((await storedFunnels())[1]!.steps.map((s) => s.label)).toEqual(['page_view', 'purchase']);
    expect((await storedFunnels())[1]!.id).toBe(created!.id);

    await editor.locator('li').nth(1).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => editor.locator('li').count()).toBe(1);
    expect((await storedFunnels()).map((f) => f.id)).toEqual(['default']);
  });
});
