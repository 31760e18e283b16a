import { jsonBytes } from './batch-cut.ts';
import type { SdkEvent } from './types.ts';

/**
 * The unsent events, oldest first, bounded by bytes of JSON: a device offline for days keeps
 * the newest `maxBytes` of its events and drops (and reports) the oldest. Events of the batch
 * being sent are never dropped, so the answer to a request always settles the events it carried.
 */
export class EventQueue {
  readonly #maxBytes: number;
  readonly #sizes = new WeakMap<SdkEvent, number>();
  #events: SdkEvent[];
  #bytes = 0;
  #sending = 0;

  /** Events of a stored queue that were over the bound when it was loaded. */
  readonly droppedOnLoad: SdkEvent[] = [];

  constructor(initial: readonly SdkEvent[], maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#events = [];
    for (const event of initial) this.droppedOnLoad.push(...this.push(event));
  }

  get length(): number {
    return this.#events.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get events(): readonly SdkEvent[] {
    return this.#events;
  }

  /** Adds an event; returns the oldest ones dropped to stay within the byte bound. */
  push(event: SdkEvent): SdkEvent[] {
    this.#events.push(event);
    this.#bytes += this.#size(event);
    const dropped: SdkEvent[] = [];
    while (this.#bytes > this.#maxBytes && this.#events.length > this.#sending + 1) {
      const [oldest] = this.#events.splice(this.#sending, 1);
      this.#bytes -= this.#size(oldest!);
      dropped.push(oldest!);
    }
    return dropped;
  }

  /** The first `count` events, marked as being sent until settled or released. */
  startSending(count: number): SdkEvent[] {
    this.#sending = count;
    return this.#events.slice(0, count);
  }

  /** The batch being sent is done with (delivered, or given up): it leaves the queue. */
  settle(): void {
    this.#removeFront(this.#sending);
    this.#sending = 0;
  }

  /** The batch being sent stays queued, for a later try. */
  release(): void {
    this.#sending = 0;
  }

  /** Removes the oldest events that `take` accepts, one by one, while nothing is being sent. */
  takeFront(take: (event: SdkEvent, index: number) => boolean): SdkEvent[] {
    if (this.#sending > 0) return [];
    let count = 0;
    while (count < this.#events.length && take(this.#events[count]!, count)) count += 1;
    const taken = this.#events.slice(0, count);
    this.#removeFront(count);
    return taken;
  }

  /** Puts events taken with takeFront back at the front, oldest first (a refused beacon). */
  putBack(events: readonly SdkEvent[]): void {
    this.#events.unshift(...events);
    for (const event of events) this.#bytes += this.#size(event);
  }

  #removeFront(count: number): void {
    for (const event of this.#events.splice(0, count)) this.#bytes -= this.#size(event);
  }

  #size(event: SdkEvent): number {
    let size = this.#sizes.get(event);
    if (size === undefined) {
      size = jsonBytes(event);
      this.#sizes.set(event, size);
    }
    return size;
  }
}
