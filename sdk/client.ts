import { nextBatchSize } from './batch-cut.ts';
import { DEFAULT_RETRY, isRetryable, type RetryPolicy, retryDelayMs } from './retry-policy.ts';
import type {
  DeliveryFailure,
  QueueStore,
  SdkEvent,
  SdkEventType,
  SdkOrder,
  SdkPage,
  SdkProduct,
  Transport,
} from './types.ts';

/** The server takes at most 1,000 events per request. */
const SERVER_MAX_EVENTS = 1000;
/** Half the server's 1 MiB body limit: room for a proxy's smaller limit, and a short upload. */
const DEFAULT_MAX_BATCH_BYTES = 500 * 1000;

export interface ClientOptions {
  readonly transport: Transport;
  readonly store?: QueueStore;
  /** Send as soon as this many events are queued. @default 1000 */
  readonly flushAt?: number;
  /** Bytes of JSON a request may carry; a batch is cut before it grows past this. @default 500000 */
  readonly maxBatchBytes?: number;
  /** Send what is queued this long after the first unsent event. @default 5000 */
  readonly flushIntervalMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly anonymousId?: string;
  readonly userId?: string;
  readonly sessionId?: string;
  readonly onFailure?: (failure: DeliveryFailure) => void;
  /** Do not let the idle flush timer keep a Node process alive. */
  readonly unrefTimers?: boolean;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly newId?: () => string;
}

export interface TrackFields {
  readonly page?: SdkPage;
  readonly product?: SdkProduct;
  readonly order?: SdkOrder;
  readonly properties?: Record<string, unknown>;
}

/**
 * Queues events and sends them in batches: at `flushAt` events or `flushIntervalMs` after the
 * first, whichever comes first, each at most `maxBatchBytes`. A batch the server finds too large
 * (413) is split in halves and sent again, with no wait and no loss. Failed batches are retried
 * with backoff and jitter on 429, 5xx and network errors (honouring Retry-After), and dropped on
 * other 4xx.
 */
export class SpateClient {
  readonly #transport: Transport;
  readonly #store: QueueStore | undefined;
  readonly #flushAt: number;
  readonly #maxBatchBytes: number;
  readonly #flushIntervalMs: number;
  readonly #retry: RetryPolicy;
  readonly #options: ClientOptions;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #newId: () => string;
  #queue: SdkEvent[];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;
  #userId: string | undefined;
  #anonymousId: string;
  #sessionId: string | undefined;
  #closed = false;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#transport = options.transport;
    this.#store = options.store;
    this.#flushAt = Math.min(SERVER_MAX_EVENTS, Math.max(1, options.flushAt ?? SERVER_MAX_EVENTS));
    this.#maxBatchBytes = Math.max(1, options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES);
    this.#flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    this.#userId = options.userId;
    this.#anonymousId = options.anonymousId ?? this.#newId();
    this.#sessionId = options.sessionId;
    this.#queue = this.#store?.load() ?? [];
    if (this.#queue.length > 0) this.#schedule();
  }

  get queued(): number {
    return this.#queue.length;
  }

  get anonymousId(): string {
    return this.#anonymousId;
  }

  track(type: SdkEventType, fields: TrackFields = {}): string {
    const event: SdkEvent = {
      event_id: this.#newId(),
      type,
      timestamp: new Date(this.#now()).toISOString(),
      anonymous_id: this.#anonymousId,
      ...(this.#userId !== undefined ? { user_id: this.#userId } : {}),
      ...(this.#sessionId !== undefined ? { session_id: this.#sessionId } : {}),
      ...fields,
    };
    this.#enqueue(event);
    return event.event_id;
  }

  page(page: SdkPage = {}, properties?: Record<string, unknown>): string {
    return this.track('page_view', { page, ...(properties ? { properties } : {}) });
  }

  /** Names the user from now on; traits are sent with an `x_identify` event. */
  identify(userId: string, traits?: Record<string, unknown>): string {
    this.#userId = userId;
    return this.track('x_identify', traits ? { properties: traits } : {});
  }

  /** Sends everything queued; resolves when the queue is empty or what is left was given up. */
  async flush(): Promise<void> {
    this.#clearTimer();
    while (this.#flushing) await this.#flushing;
    if (this.#queue.length === 0) return;
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  /** Flushes and stops; later calls to track are ignored. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#clearTimer();
  }

  /**
   * Removes and returns the oldest events that fit in `maxBytes` of JSON, for a last send with
   * sendBeacon or keepalive fetch while the page unloads (both cap bodies near 64 KB).
   */
  takeForUnload(maxBytes: number): SdkEvent[] {
    const taken: SdkEvent[] = [];
    let bytes = 2;
    const sentAt = new Date(this.#now()).toISOString();
    while (this.#queue.length > 0 && !this.#flushing) {
      const next = { ...this.#queue[0]!, sent_at: sentAt };
      const size = JSON.stringify(next).length + 1;
      if (bytes + size > maxBytes && taken.length > 0) break;
      taken.push(next);
      bytes += size;
      this.#queue.shift();
    }
    this.#persist();
    return taken;
  }

  #enqueue(event: SdkEvent): void {
    if (this.#closed) return;
    this.#queue.push(event);
    this.#persist();
    if (this.#queue.length >= this.#flushAt) {
      void this.flush();
    } else {
      this.#schedule();
    }
  }

  async #drain(): Promise<void> {
    let attempt = 0;
    // Lowered by each 413 for the rest of this drain, so the halves of a split go one by one.
    let maxCount = this.#flushAt;
    while (this.#queue.length > 0) {
      const sentAt = new Date(this.#now()).toISOString();
      const size = nextBatchSize(this.#queue, maxCount, this.#maxBatchBytes, sentAt);
      const batch = this.#queue.slice(0, size);
      let status: number | 'network';
      let retryAfterS: number | undefined;
      try {
        const result = await this.#transport(batch.map((e) => ({ ...e, sent_at: sentAt })));
        status = result.status;
        retryAfterS = result.retryAfterS;
      } catch {
        status = 'network';
      }
      if (status !== 'network' && status < 300) {
        this.#remove(batch.length);
        attempt = 0;
        continue;
      }
      if (status === 413 && batch.length > 1) {
        maxCount = Math.ceil(batch.length / 2);
        continue;
      }
      if (!isRetryable(status) || attempt >= this.#retry.maxRetries) {
        this.#remove(batch.length);
        attempt = 0;
        const reason = isRetryable(status)
          ? `gave up after ${this.#retry.maxRetries} retries`
          : status === 413
            ? 'too large for the server on its own'
            : 'refused by the server';
        this.#options.onFailure?.({ events: batch, status, reason });
        continue;
      }
      await sleep(retryDelayMs(attempt, this.#retry, this.#random, retryAfterS));
      attempt += 1;
    }
  }

  #remove(count: number): void {
    this.#queue.splice(0, count);
    this.#persist();
  }

  #persist(): void {
    this.#store?.save(this.#queue);
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#flushIntervalMs);
    if (this.#options.unrefTimers) (this.#timer as { unref?: () => void }).unref?.();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
