import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SpateClient } from '../../../sdk/client.ts';
import { parseRetryAfter } from '../../../sdk/http-transport.ts';
import { StorageQueueStore } from '../../../sdk/queue-store.ts';
import { retryDelayMs } from '../../../sdk/retry-policy.ts';
import type { DeliveryFailure, SdkEvent, SendResult } from '../../../sdk/types.ts';

/** A transport that records batches and answers from a script of results. */
function scriptedTransport(script: (SendResult | 'network')[]) {
  const batches: SdkEvent[][] = [];
  const transport = async (events: readonly SdkEvent[]) => {
    batches.push([...events]);
    const next = script.length > 1 ? script.shift()! : (script[0] ?? { status: 200 });
    if (next === 'network') throw new TypeError('fetch failed');
    return next;
  };
  return { transport, batches };
}

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

let ids = 0;
const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

describe('SpateClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('flushes when flushAt events are queued', async () => {
    const { transport, batches } = scriptedTransport([{ status: 200 }]);
    const client = new SpateClient({ transport, flushAt: 3, newId, userId: 'u1' });
    client.track('click');
    client.track('click');
    expect(batches).toHaveLength(0);
    client.track('add_to_cart', { product: { id: 'p1', price: 5 } });
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(3);
    expect(batches[0]![2]).toMatchObject({ type: 'add_to_cart', user_id: 'u1', product: { id: 'p1' } });
    expect(batches[0]![0]!.sent_at).toBeDefined();
    expect(client.queued).toBe(0);
  });

  it('flushes after the interval when fewer events are queued', async () => {
    const { transport, batches } = scriptedTransport([{ status: 200 }]);
    const client = new SpateClient({ transport, flushIntervalMs: 5000, newId });
    client.page({ path: '/' });
    await vi.advanceTimersByTimeAsync(4999);
    expect(batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(1);
  });

  it('retries 5xx and network errors with growing jittered backoff, then delivers', async () => {
    const { transport, batches } = scriptedTransport([{ status: 503 }, 'network', { status: 200 }]);
    const client = new SpateClient({
      transport,
      newId,
      random: () => 1,
      retry: { baseDelayMs: 100, maxDelayMs: 10_000, maxRetries: 5 },
    });
    client.track('click');
    const flushed = client.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    await flushed;
    expect(batches).toHaveLength(3);
    expect(client.queued).toBe(0);
  });

  it('honours Retry-After on 429', async () => {
    const { transport, batches } = scriptedTransport([{ status: 429, retryAfterS: 7 }, { status: 200 }]);
    const client = new SpateClient({ transport, newId, random: () => 0 });
    client.track('click');
    void client.flush();
    await vi.advanceTimersByTimeAsync(6999);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toHaveLength(2);
  });

  it('does not retry other 4xx and reports the dropped events', async () => {
    const failures: DeliveryFailure[] = [];
    const { transport, batches } = scriptedTransport([{ status: 400 }]);
    const client = new SpateClient({ transport, newId, onFailure: (f) => failures.push(f) });
    client.track('click');
    await client.flush();
    expect(batches).toHaveLength(1);
    expect(failures).toEqual([expect.objectContaining({ status: 400, reason: 'refused by the server' })]);
    expect(client.queued).toBe(0);
  });

  it('gives up after maxRetries', async () => {
    const failures: DeliveryFailure[] = [];
    const { transport, batches } = scriptedTransport([{ status: 500 }]);
    const client = new SpateClient({
      transport,
      newId,
      retry: { baseDelayMs: 10, maxRetries: 2 },
      onFailure: (f) => failures.push(f),
    });
    client.track('click');
    const flushed = client.flush();
    await vi.advanceTimersByTimeAsync(1000);
    await flushed;
    expect(batches).toHaveLength(3);
    expect(failures[0]).toMatchObject({ status: 500, reason: 'gave up after 2 retries' });
  });

  it('identify names later events and sends traits', async () => {
    const { transport, batches } = scriptedTransport([{ status: 200 }]);
    const client = new SpateClient({ transport, newId });
    client.identify('user-9', { plan: 'pro' });
    client.track('purchase', { order: { id: 'o', revenue: 10, currency: 'EUR' } });
    await client.shutdown();
    expect(batches[0]).toEqual([
      expect.objectContaining({ type: 'x_identify', user_id: 'user-9', properties: { plan: 'pro' } }),
      expect.objectContaining({ type: 'purchase', user_id: 'user-9', anonymous_id: client.anonymousId }),
    ]);
    client.track('click');
    expect(client.queued).toBe(0);
  });

  it('persists the queue so a new client (a reloaded page) sends it', async () => {
    const storage = new MemoryStorage();
    const down = scriptedTransport([{ status: 503 }]);
    const first = new SpateClient({
      transport: down.transport,
      newId,
      store: new StorageQueueStore(storage, 'q'),
    });
    first.track('click');
    first.track('click');
    expect(JSON.parse(storage.getItem('q')!)).toHaveLength(2);
    const up = scriptedTransport([{ status: 200 }]);
    const second = new SpateClient({
      transport: up.transport,
      newId,
      store: new StorageQueueStore(storage, 'q'),
    });
    expect(second.queued).toBe(2);
    await second.flush();
    expect(up.batches[0]).toHaveLength(2);
    expect(storage.getItem('q')).toBeNull();
  });

  it('hands out at most maxBytes of events for an unload beacon', () => {
    const { transport } = scriptedTransport([{ status: 200 }]);
    const client = new SpateClient({ transport, newId });
    for (let i = 0; i < 10; i++) client.track('click', { properties: { pad: 'x'.repeat(100) } });
    const taken = client.takeForUnload(700);
    expect(taken.length).toBeGreaterThan(0);
    expect(JSON.stringify(taken).length).toBeLessThanOrEqual(700);
    expect(client.queued).toBe(10 - taken.length);
  });
});

describe('retry policy', () => {
  it('caps the exponential delay and floors it at Retry-After', () => {
    const policy = { baseDelayMs: 500, maxDelayMs: 4000, maxRetries: 10 };
    expect(retryDelayMs(0, policy, () => 0.999)).toBe(499);
    expect(retryDelayMs(10, policy, () => 0.999)).toBe(3996);
    expect(retryDelayMs(0, policy, () => 0, 3)).toBe(3000);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('5')).toBe(5);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1000)).toBe(60);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
