import { jsonBytes, nextBatchSize } from './batch-cut.ts';
import { EventQueue } from './event-queue.ts';
import { namedRejections } from './rejections.ts';
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
/** What localStorage holds for an origin, about. */
const DEFAULT_MAX_QUEUE_BYTES = 5 * 1000 * 1000;

export interface ClientOptions {
  readonly transport: Transport;
  readonly store?: QueueStore;
  /** Send as soon as this many events are queued. @default 1000 */
  readonly flushAt?: number;
  /** Bytes of JSON a request may carry; a batch is cut before it grows past this. @default 500000 */
  readonly maxBatchBytes?: number;
  /** Bytes of unsent events kept (offline); past it the oldest are dropped and reported. @default 5000000 */
  readonly maxQueueBytes?: number;
  /** Whether the device has a network (navigator.onLine); offline, nothing is tried. @default always */
  readonly isOnline?: () => boolean;
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
 * with backoff and jitter on 429 and 5xx (honouring Retry-After) up to `maxRetries`, and dropped
 * on other 4xx. A network error never drops anything: after `maxRetries` tries the queue waits,
 * kept, and is tried again every `maxDelayMs` or as soon as `retryNow()` says the network is back.
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
  readonly #isOnline: () => boolean;
  readonly #queue: EventQueue;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;
  #userId: string | undefined;
  #anonymousId: string;
  #sessionId: string | undefined;
  #closed = false;
  /** Ends a wait for the network early. */
  #wake: (() => void) | undefined;

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
    this.#isOnline = options.isOnline ?? (() => true);
    this.#userId = options.userId;
    this.#anonymousId = options.anonymousId ?? this.#newId();
    this.#sessionId = options.sessionId;
    this.#queue = new EventQueue(this.#store?.load() ?? [], options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES);
    this.#reportOverflow(this.#queue.droppedOnLoad);
    if (this.#queue.length > 0) this.#schedule(this.#flushIntervalMs);
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Bytes of JSON the unsent events take. */
  get queuedBytes(): number {
    return this.#queue.bytes;
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

  /**
   * Sends everything queued; resolves when the queue is empty, or when what is left waits for
   * the network (then `queued` says how much).
   */
  async flush(): Promise<void> {
    this.#clearTimer();
    while (this.#flushing) await this.#flushing;
    if (this.#queue.length === 0) return;
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  /** The network is back (the browser's `online` event): try what waits now, not at its timer. */
  retryNow(): void {
    if (this.#wake) {
      this.#wake();
      return;
    }
    if (this.#flushing || this.#queue.length === 0) return;
    void this.flush();
  }

  /** Flushes and stops; later calls to track are ignored. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    await this.flush();
    this.#clearTimer();
  }

  /**
   * Removes and returns the oldest events that fit in `maxBytes` of JSON, for a last send with
   * sendBeacon or keepalive fetch while the page unloads (both cap bodies near 64 KB). Nothing
   * while a batch is in flight: its answer settles those events.
   */
  takeForUnload(maxBytes: number): SdkEvent[] {
    const sentAt = new Date(this.#now()).toISOString();
    let bytes = 2;
    const taken = this.#queue.takeFront((event, index) => {
      const size = jsonBytes({ ...event, sent_at: sentAt }) + (index > 0 ? 1 : 0);
      if (index > 0 && bytes + size > maxBytes) return false;
      bytes += size;
      return true;
    });
    this.#persist();
    return taken.map((event) => ({ ...event, sent_at: sentAt }));
  }

  /** Events taken for unload that the browser would not send: queued again, oldest first. */
  putBack(events: readonly SdkEvent[]): void {
    this.#queue.putBack(events);
    this.#persist();
  }

  #enqueue(event: SdkEvent): void {
    if (this.#closed) return;
    this.#reportOverflow(this.#queue.push(event));
    this.#persist();
    if (this.#queue.length >= this.#flushAt && this.#isOnline()) {
      void this.flush();
    } else {
      this.#schedule(this.#flushIntervalMs);
    }
  }

  async #drain(): Promise<void> {
    let attempt = 0;
    // Lowered by each 413 for the rest of this drain, so the halves of a split go one by one.
    let maxCount = this.#flushAt;
    while (this.#queue.length > 0) {
      if (!this.#isOnline()) return this.#waitForNetwork();
      const sentAt = new Date(this.#now()).toISOString();
      const size = nextBatchSize(this.#queue.events, maxCount, this.#maxBatchBytes, sentAt);
      const batch = this.#queue.startSending(size);
      let status: number | 'network';
      let retryAfterS: number | undefined;
      let answer: unknown;
      try {
        const result = await this.#transport(batch.map((e) => ({ ...e, sent_at: sentAt })));
        status = result.status;
        retryAfterS = result.retryAfterS;
        answer = result.body;
      } catch {
        status = 'network';
      }
      if (status !== 'network' && status < 300) {
        // 207: the rest were written; the ones the server names were not, and never will be.
        for (const failure of namedRejections(batch, status, answer)) this.#options.onFailure?.(failure);
        this.#settle();
        attempt = 0;
        continue;
      }
      if (status === 413 && batch.length > 1) {
        this.#queue.release();
        maxCount = Math.ceil(batch.length / 2);
        continue;
      }
      if (status === 'network') {
        this.#queue.release();
        if (attempt >= this.#retry.maxRetries) return this.#waitForNetwork();
        await this.#backOff(retryDelayMs(attempt, this.#retry, this.#random));
        attempt += 1;
        continue;
      }
      if (!isRetryable(status) || attempt >= this.#retry.maxRetries) {
        this.#settle();
        attempt = 0;
        const named = status === 400 ? namedRejections(batch, status, answer) : [];
        if (named.length === batch.length) {
          for (const failure of named) this.#options.onFailure?.(failure);
          continue;
        }
        const reason = isRetryable(status)
          ? `gave up after ${this.#retry.maxRetries} retries`
          : status === 413
            ? 'too large for the server on its own'
            : 'refused by the server';
        this.#options.onFailure?.({ events: batch, status, reason });
        continue;
      }
      this.#queue.release();
      await sleep(retryDelayMs(attempt, this.#retry, this.#random, retryAfterS));
      attempt += 1;
    }
  }

  /** Waits before a retry after a network error; retryNow() ends the wait early. */
  #backOff(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => {
      this.#wake = undefined;
    });
  }

  /** No network: the queue is kept and tried again later, with no limit on how often. */
  #waitForNetwork(): void {
    this.#schedule(this.#retry.maxDelayMs);
  }

  #settle(): void {
    this.#queue.settle();
    this.#persist();
  }

  #reportOverflow(dropped: readonly SdkEvent[]): void {
    if (dropped.length === 0) return;
    this.#options.onFailure?.({
      events: dropped,
      status: 'queue_full',
      reason: `more unsent events than maxQueueBytes holds; the oldest were dropped`,
    });
  }

  #persist(): void {
    this.#store?.save(this.#queue.events);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, delayMs);
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
