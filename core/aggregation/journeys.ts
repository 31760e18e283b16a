import type { EnrichedEvent } from '../events/enriched-event.ts';

export const JOURNEY_LENGTH = 3;
/** A trail older than this is a new visit; its steps do not join the previous ones. */
export const JOURNEY_IDLE_MS = 30 * 60_000;
/** Between the steps of a journey as the hot tier stores it: `/ > /products/p1 > add_to_cart`. */
export const JOURNEY_SEPARATOR = ' > ';
const SEPARATOR = JOURNEY_SEPARATOR;
const TRAIL_SEPARATOR = '\u001f';

/** A page view is its path (what people navigate); every other event is its type. */
export function journeyStep(event: EnrichedEvent): string {
  if (event.type === 'page_view') return event.page?.path ?? 'page_view';
  return event.type;
}

export interface Trail {
  readonly steps: readonly string[];
  readonly lastMs: number;
}

export function encodeTrail(trail: Trail): string {
  return `${trail.lastMs}${TRAIL_SEPARATOR}${trail.steps.join(TRAIL_SEPARATOR)}`;
}

export function decodeTrail(text: string | null | undefined): Trail | null {
  if (text == null) return null;
  const [last, ...steps] = text.split(TRAIL_SEPARATOR);
  const lastMs = Number(last);
  return Number.isFinite(lastMs) ? { steps, lastMs } : null;
}

/** Extends the trail by one step; returns the completed journey when it reaches length 3. */
export function extendTrail(
  trail: Trail | null,
  step: string,
  eventMs: number,
): { trail: Trail; journey: string | null } {
  const previous = trail !== null && eventMs - trail.lastMs <= JOURNEY_IDLE_MS ? trail.steps : [];
  const steps = [...previous, step].slice(-JOURNEY_LENGTH);
  const journey = steps.length === JOURNEY_LENGTH ? steps.join(SEPARATOR) : null;
  return {
    trail: { steps: steps.slice(-(JOURNEY_LENGTH - 1)), lastMs: Math.max(eventMs, trail?.lastMs ?? 0) },
    journey,
  };
}
