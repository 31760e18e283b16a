import type { PositionedEvent } from './msk-batch.ts';

/** The stored high-water offset when none was ever applied. */
export const NO_OFFSET = -1;

export function parseHighWater(stored: string | null | undefined): number {
  if (stored == null) return NO_OFFSET;
  const n = Number(stored);
  if (!Number.isSafeInteger(n)) throw new Error(`gate: stored high-water "${stored}" is not an integer`);
  return n;
}

/**
 * The records of a batch the gate still lets through: those past the stored high-water.
 * A redelivered batch yields none; one that overlaps what was applied yields only its tail,
 * so batches re-split by the event source mapping are still applied exactly once.
 */
export function unappliedEvents<E extends { readonly offset: number } = PositionedEvent>(
  events: readonly E[],
  highWater: number,
): E[] {
  return events.filter((e) => e.offset > highWater);
}
