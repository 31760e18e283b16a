import type { PositionedEvent } from './msk-batch.ts';
import type { RedisPlan } from './redis-plan.ts';

/** Values of the keys an aggregation asked for before planning; null where absent. */
export type StateSnapshot = ReadonlyMap<string, string | null>;

/**
 * One hot-tier aggregator (realtime counters, windows, funnels): pure, so a batch's effect is
 * computed without I/O and applied in one atomic step behind the offset gate.
 */
export interface Aggregation<E extends { readonly offset: number } = PositionedEvent> {
  /** Names the consumer in its gate key; each aggregator has its own high-water offsets. */
  readonly consumer: string;
  /**
   * What copies of one event share (core/aggregation/event-digest.ts): an event whose identity
   * was already counted within the dedup window is not counted again (first-sights.ts).
   */
  identityOf(event: E): string;
  /** Keys whose current values the plan depends on (per-visitor funnel progress). */
  stateKeys(events: readonly E[]): string[];
  /** Adds the batch's effect to `plan`. `nowMs` decides which buckets are too old to keep. */
  plan(events: readonly E[], state: StateSnapshot, plan: RedisPlan, nowMs: number): void;
}
