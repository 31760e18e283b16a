import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBrowserClient } from '../../../sdk/browser.ts';
import { SpateClient } from '../../../sdk/client.ts';
import type { DeliveryFailure, SdkEvent } from '../../../sdk/types.ts';

let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

/** A network that is down until `up` is set; then a server that takes everything. */
function network() {
  const state = { up: false, attempts: 0, delivered: [] as SdkEvent[] };
  const transport = async (events: readonly SdkEvent[]) => {
    state.attempts += 1;
    if (!state.up) throw new TypeError('Failed to fetch');
    state.delivered.push(...events);
    return { status: 200 };
  };
  return { state, transport };
}

describe('SpateClient offline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps every event through 10 minutes without a network and sends them when it returns', async () => {
    const { state, transport } = network();
    const failures: DeliveryFailure[] = [];
    const client = new SpateClient({
      transport,
      newId,
      flushIntervalMs: 1000,
      random: () => 1,
      onFailure: (f) => failures.push(f),
    });
    const sent = Array.from({ length: 50 }, () => client.track('click'));
    await vi.advanceTimersByTimeAsync(10 * 60 * 1000);
    // Well past the 10 retries that used to drop a batch.
    expect(state.attempts).toBeGreaterThan(11);
    expect(client.queued).toBe(50);
    expect(failures).toEqual([]);
    state.up = true;
    client.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.delivered.map((e) => e.event_id)).toEqual(sent);
    expect(client.queued).toBe(0);
  });

  it('tries nothing while the device says it is offline, and sends on retryNow', async () => {
    const { state, transport } = network();
    let online = false;
    const client = new SpateClient({ transport, newId, flushIntervalMs: 1000, isOnline: () => online });
    client.track('click');
    client.track('click');
    await vi.advanceTimersByTimeAsync(5 * 60 * 1000);
    expect(state.attempts).toBe(0);
    online = true;
    state.up = true;
    client.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.delivered).toHaveLength(2);
  });

  it('ends a wait after a network error as soon as retryNow says the network is back', async () => {
    const { state, transport } = network();
    const client = new SpateClient({
      transport,
      newId,
      random: () => 1,
      retry: { baseDelayMs: 30_000, maxDelayMs: 60_000 },
    });
    client.track('click');
    void client.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.attempts).toBe(1);
    state.up = true;
    client.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.attempts).toBe(2);
    expect(state.delivered).toHaveLength(1);
  });

  it('holds at most maxQueueBytes, dropping and reporting the oldest first', async () => {
    const failures: DeliveryFailure[] = [];
    const client = new SpateClient({
      transport: network().transport,
      newId,
      isOnline: () => false,
      maxQueueBytes: 10_000,
      onFailure: (f) => failures.push(f),
    });
    const sent = Array.from({ length: 40 }, () =>
      client.track('click', { properties: { pad: 'x'.repeat(400) } }),
    );
    expect(client.queuedBytes).toBeLessThanOrEqual(10_000);
    const dropped = failures.flatMap((f) => f.events.map((e) => e.event_id));
    expect(failures.every((f) => f.status === 'queue_full')).toBe(true);
    expect(dropped).toEqual(sent.slice(0, dropped.length));
    expect(dropped.length + client.queued).toBe(40);
    expect(client.queued).toBeGreaterThan(0);
  });
});

describe('the browser client when the page is hidden', () => {
  class Storage {
    readonly items = new Map<string, string>();
    getItem = (k: string) => this.items.get(k) ?? null;
    setItem = (k: string, v: string) => void this.items.set(k, v);
    removeItem = (k: string) => void this.items.delete(k);
  }

  function page(beaconQuota: number, onLine = true) {
    const listeners = new Map<string, (() => void)[]>();
    const target = {
      addEventListener: (type: string, fn: () => void) =>
        listeners.set(type, [...(listeners.get(type) ?? []), fn]),
      fire: (type: string) => {
        for (const fn of listeners.get(type) ?? []) fn();
      },
    };
    const beacons: Blob[] = [];
    let used = 0;
    return {
      document: { ...target, visibilityState: 'hidden' },
      window: target,
      navigator: {
        onLine,
        // As browsers do: a beacon past the quota of bytes in flight is refused.
        sendBeacon: (_url: string, body: Blob) => {
          if (used + body.size > beaconQuota) return false;
          used += body.size;
          beacons.push(body);
          return true;
        },
      },
      localStorage: new Storage(),
      beacons,
    };
  }

  const many = (client: ReturnType<typeof createBrowserClient>, n: number) =>
    Array.from({ length: n }, () => client.track('click', { properties: { pad: 'y'.repeat(1000) } }));

  it('sends the queue in beacons under 64 KB each', async () => {
    const p = page(1_000_000);
    const client = createBrowserClient(
      { endpoint: 'https://e.example', writeKey: 'k', flushIntervalMs: 60_000 },
      p,
    );
    const sent = many(client, 150);
    p.window.fire('pagehide');
    expect(p.beacons.length).toBeGreaterThanOrEqual(3);
    expect(p.beacons.every((b) => b.size < 64 * 1024)).toBe(true);
    const ids = (await Promise.all(p.beacons.map((b) => b.text()))).flatMap((t) =>
      (JSON.parse(t) as SdkEvent[]).map((e) => e.event_id),
    );
    expect(ids).toEqual(sent);
    expect(client.queued).toBe(0);
  });

  it('keeps what the browser refuses to beacon, in storage for the next visit', async () => {
    const p = page(100_000);
    const client = createBrowserClient(
      { endpoint: 'https://e.example', writeKey: 'k', flushIntervalMs: 60_000 },
      p,
    );
    const sent = many(client, 150);
    p.window.fire('pagehide');
    const beaconed = (await Promise.all(p.beacons.map((b) => b.text()))).flatMap((t) =>
      (JSON.parse(t) as SdkEvent[]).map((e) => e.event_id),
    );
    expect(beaconed.length).toBeGreaterThan(0);
    expect(client.queued).toBe(150 - beaconed.length);
    const stored = JSON.parse(p.localStorage.getItem('spate:queue') ?? '[]') as SdkEvent[];
    expect([...beaconed, ...stored.map((e) => e.event_id)]).toEqual(sent);
  });

  it('sends no beacon offline (the browser would lose it) and keeps the queue', () => {
    const p = page(1_000_000, false);
    const client = createBrowserClient(
      { endpoint: 'https://e.example', writeKey: 'k', flushIntervalMs: 60_000 },
      p,
    );
    many(client, 5);
    p.document.fire('visibilitychange');
    expect(p.beacons).toEqual([]);
    expect(client.queued).toBe(5);
  });
});
