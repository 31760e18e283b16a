import { SpateClient } from './client.ts';
import { createHttpTransport } from './http-transport.ts';
import { type KeyValueStorage, StorageQueueStore } from './queue-store.ts';
import type { DeliveryFailure } from './types.ts';

export interface BrowserClientOptions {
  readonly endpoint: string;
  readonly writeKey: string;
  readonly flushAt?: number;
  /** Bytes of JSON one request may carry. @default 500000 */
  readonly maxBatchBytes?: number;
  readonly flushIntervalMs?: number;
  /** Prefix of the localStorage keys. @default 'spate' */
  readonly storageKey?: string;
  readonly onFailure?: (failure: DeliveryFailure) => void;
}

interface EventSource {
  addEventListener(type: string, listener: () => void): void;
}

/**
 * The browser globals the client touches, passed in so it also runs where they are absent.
 * Typed structurally: the project compiles without the DOM library.
 */
export interface BrowserHost {
  readonly localStorage?: KeyValueStorage;
  readonly document?: EventSource & { readonly visibilityState: string };
  readonly window?: EventSource;
  readonly navigator?: { sendBeacon?(url: string, data: Blob): boolean; readonly onLine?: boolean };
  readonly fetch?: typeof globalThis.fetch;
}

// sendBeacon and keepalive fetch both refuse bodies much past 64 KB.
const UNLOAD_BYTES = 60_000;

/**
 * A client for web pages: its queue lives in localStorage, and when the page is hidden (tab
 * switch, navigation, close) it sends what it can with sendBeacon, falling back to keepalive fetch.
 */
export function createBrowserClient(
  options: BrowserClientOptions,
  host: BrowserHost = globalThis as BrowserHost,
) {
  const prefix = options.storageKey ?? 'spate';
  const storage = host.localStorage;
  const anonymousId = readOrCreateAnonymousId(storage, `${prefix}:anonymous_id`);
  const client = new SpateClient({
    transport: createHttpTransport({
      endpoint: options.endpoint,
      writeKey: options.writeKey,
      fetch: host.fetch,
    }),
    ...(storage ? { store: new StorageQueueStore(storage, `${prefix}:queue`) } : {}),
    ...(options.flushAt !== undefined ? { flushAt: options.flushAt } : {}),
    ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
    anonymousId,
    // Offline, nothing is tried (and no retry is spent); `online` sends what waited.
    isOnline: () => host.navigator?.onLine ?? true,
  });
  const keepalive = createHttpTransport({
    endpoint: options.endpoint,
    writeKey: options.writeKey,
    fetch: host.fetch,
    keepalive: true,
  });
  // The key rides in the query string because sendBeacon cannot set headers.
  const beaconUrl = `${options.endpoint.replace(/\/+$/, '')}/v1/events?write_key=${encodeURIComponent(options.writeKey)}`;

  // Chunk after chunk until the queue is empty or the browser refuses one (its beacon quota is
  // about 64 KB in flight): a refused chunk goes back to the queue, kept for the next visit.
  const sendOnUnload = () => {
    // Offline, a beacon is accepted by the browser and then lost; the queue waits in storage.
    if (host.navigator?.onLine === false) return;
    for (;;) {
      const events = client.takeForUnload(UNLOAD_BYTES);
      if (events.length === 0) return;
      const body = new Blob([JSON.stringify(events)], { type: 'text/plain' });
      if (host.navigator?.sendBeacon) {
        if (!host.navigator.sendBeacon(beaconUrl, body)) return client.putBack(events);
        continue;
      }
      void keepalive(events)
        .then((result) => {
          if (result.status >= 500 || result.status === 429) client.putBack(events);
        })
        .catch(() => client.putBack(events));
    }
  };
  host.document?.addEventListener('visibilitychange', () => {
    if (host.document?.visibilityState === 'hidden') sendOnUnload();
  });
  host.window?.addEventListener('pagehide', sendOnUnload);
  host.window?.addEventListener('online', () => client.retryNow());
  return client;
}

function readOrCreateAnonymousId(storage: KeyValueStorage | undefined, key: string): string {
  try {
    const existing = storage?.getItem(key);
    if (existing) return existing;
    const id = globalThis.crypto.randomUUID();
    storage?.setItem(key, id);
    return id;
  } catch {
    return globalThis.crypto.randomUUID();
  }
}
