import type { QueueStore, SdkEvent } from './types.ts';

/** The slice of the Web Storage API the SDK uses. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Keeps the unsent queue in localStorage, so events survive a reload or a crash of the tab.
 * A full or disabled storage (private mode) only costs persistence, never the events in memory.
 */
export class StorageQueueStore implements QueueStore {
  readonly #storage: KeyValueStorage;
  readonly #key: string;
  readonly #maxEvents: number;

  constructor(storage: KeyValueStorage, key: string, maxEvents = 10_000) {
    this.#storage = storage;
    this.#key = key;
    this.#maxEvents = maxEvents;
  }

  load(): SdkEvent[] {
    try {
      const raw = this.#storage.getItem(this.#key);
      const value: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(value) ? (value as SdkEvent[]) : [];
    } catch {
      return [];
    }
  }

  save(events: readonly SdkEvent[]): void {
    try {
      if (events.length === 0) this.#storage.removeItem(this.#key);
      else this.#storage.setItem(this.#key, JSON.stringify(events.slice(-this.#maxEvents)));
    } catch {
      // Quota exceeded or storage disabled: the in-memory queue still holds everything.
    }
  }
}
