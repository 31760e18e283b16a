import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HealthReport, type RunningGateway, startGateway } from '../../../local/gateway/index.ts';

describe('local gateway: dashboard files and /health', () => {
  let gateway: RunningGateway;
  let dir: string;
  let report: HealthReport = { redis: { healthy: true }, kafka: { healthy: true } };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spate-gateway-static-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Spate</title>');
    await writeFile(join(dir, 'assets', 'index-3f2a9c1b.js'), 'console.log("dashboard")');
    await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(tmpdir(), 'spate-gateway-outside.txt'), 'secret');
    gateway = await startGateway({
      staticDir: dir,
      staticHeaders: { 'content-security-policy': "default-src 'self'" },
      log: () => undefined,
      health: () => report,
      httpRoutes: [
        { routeKey: 'GET /v1/metrics/{name}', functionName: 'query', handler: async () => ({ ok: true }) },
      ],
    });
  });

  afterAll(async () => {
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
    await rm(join(tmpdir(), 'spate-gateway-outside.txt'), { force: true });
  });

  it('serves index.html at / without long caching', async () => {
    const response = await fetch(`${gateway.httpUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(await response.text()).toContain('<title>Spate</title>');
  });

  it('serves hashed assets with a content type and immutable caching', async () => {
    const js = await fetch(`${gateway.httpUrl}/assets/index-3f2a9c1b.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log("dashboard")');
    expect(js.headers.get('content-security-policy')).toBe("default-src 'self'");

    const svg = await fetch(`${gateway.httpUrl}/favicon.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).not.toContain('immutable');
  });

  it('falls back to index.html for client-side routes but not for missing files', async () => {
    const route = await fetch(`${gateway.httpUrl}/funnels/signup`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Spate</title>');

    const missing = await fetch(`${gateway.httpUrl}/assets/missing-00000000.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Not Found' });
  });

  it('keeps API routes ahead of the dashboard and refuses paths outside its folder', async () => {
    expect(await (await fetch(`${gateway.httpUrl}/v1/metrics/x`)).json()).toEqual({ ok: true });
    const outside = await fetch(`${gateway.httpUrl}/..%2f..%2fspate-gateway-outside.txt`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('secret');
  });

  it('reports health: 200 when every component is healthy, 503 otherwise', async () => {
    const healthy = await fetch(`${gateway.httpUrl}/health`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({
      status: 'ok',
      components: { gateway: { healthy: true }, redis: { healthy: true }, kafka: { healthy: true } },
    });

    report = { redis: { healthy: true }, kafka: { healthy: false, detail: 'restarting (attempt 2)' } };
    const degraded = await fetch(`${gateway.httpUrl}/health`);
    expect(degraded.status).toBe(503);
    expect(await degraded.json()).toMatchObject({
      status: 'degraded',
      components: { kafka: { healthy: false, detail: 'restarting (attempt 2)' } },
    });
  });
});
