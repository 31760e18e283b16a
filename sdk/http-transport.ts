import type { SdkEvent, SendResult, Transport } from './types.ts';

export interface HttpTransportOptions {
  /** Base URL of a Spate endpoint, e.g. https://events.example.com */
  readonly endpoint: string;
  readonly writeKey: string;
  readonly fetch?: typeof globalThis.fetch;
  /** Let the request outlive the page (browser unload). Bodies are then capped near 64 KB. */
  readonly keepalive?: boolean;
}

/** Posts batches to `/v1/events` with the write key as a Bearer token. */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const url = `${options.endpoint.replace(/\/+$/, '')}/v1/events`;
  return async (events: readonly SdkEvent[]): Promise<SendResult> => {
    const response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.writeKey}` },
      body: JSON.stringify(events),
      ...(options.keepalive ? { keepalive: true } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      retryAfterS: parseRetryAfter(response.headers.get('retry-after')),
      body: parseJson(text),
    };
  };
}

/** Retry-After as seconds, from either of its forms (delta seconds or an HTTP date). */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
