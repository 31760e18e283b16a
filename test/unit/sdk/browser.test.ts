import { describe, expect, it } from 'vitest';
import { createBrowserClient } from '../../../sdk/browser.ts';

class FakeStorage {
  readonly items = new Map<string, string>();
  getItem = (k: string) => this.items.get(k) ?? null;
  setItem = (k: string, v: string) => void this.items.set(k, v);
  removeItem = (k: string) => void this.items.delete(k);
}

function fakePage() {
  const listeners = new Map<string, (() => void)[]>();
  const target = {
    addEventListener: (type: string, fn: () => void) =>
      listeners.set(type, [...(listeners.get(type) ?? []), fn]),
    fire: (type: string) => {
      for (const fn of listeners.get(type) ?? []) fn();
    },
  };
  const document = { ...target, visibilityState: 'visible' };
  const beacons: { url: string; body: Blob }[] = [];
  return {
    document,
    window: target,
    navigator: {
      sendBeacon: (url: string, body: Blob) => {
        beacons.push({ url, body });
        return true;
      },
    },
    localStorage: new FakeStorage(),
    beacons,
  };
}

describe('createBrowserClient', () => {
  it('sends the queue with sendBeacon when the page is hidden', async () => {
    const page = fakePage();
    const client = createBrowserClient(
      { endpoint: 'https://events.example/', writeKey: 'wk 1', flushIntervalMs: 60_000 },
      page,
    );
    client.page({ path: '/cart' });
    client.track('add_to_cart', { product: { id: 'p1' } });
    page.document.visibilityState = 'hidden';
    page.document.fire('visibilitychange');
    expect(page.beacons).toHaveLength(1);
    expect(page.beacons[0]!.url).toBe('https://events.example/v1/events?write_key=wk%201');
    expect(page.beacons[0]!.body.type).toBe('text/plain');
    const sent = JSON.parse(await page.beacons[0]!.body.text());
    expect(sent.map((e: { type: string }) => e.type)).toEqual(['page_view', 'add_to_cart']);
    expect(client.queued).toBe(0);
    await client.shutdown();
  });

  it('keeps one anonymous id per browser across page loads', async () => {
    const page = fakePage();
    const first = createBrowserClient({ endpoint: 'https://e.example', writeKey: 'k' }, page);
    const second = createBrowserClient({ endpoint: 'https://e.example', writeKey: 'k' }, page);
    expect(second.anonymousId).toBe(first.anonymousId);
    await first.shutdown();
    await second.shutdown();
  });
});
