import type { EnrichedEvent } from '../events/enriched-event.ts';
import { type FunnelDefinition, stepMatches } from './funnel-definition.ts';

/** How far a visitor got in the current attempt, and when the attempt began. */
export interface FunnelProgress {
  readonly step: number;
  readonly startedMs: number;
}

export interface FunnelAdvance {
  readonly progress: FunnelProgress | null;
  /** Step indexes reached by this event, each counted once per attempt. */
  readonly reached: readonly number[];
}

/**
 * Steps are taken strictly in order within the window from the first step. One event may take
 * several steps at once when it matches consecutive ones: a product page view is both a page
 * view and a product view. A finished or expired attempt lets the next first step start anew.
 */
export function advanceFunnel(
  funnel: FunnelDefinition,
  current: FunnelProgress | null,
  event: EnrichedEvent,
  eventMs: number,
): FunnelAdvance {
  let progress = current;
  if (progress !== null && eventMs - progress.startedMs > funnel.windowMs) progress = null;
  const reached: number[] = [];
  let next = progress === null ? 0 : progress.step + 1;
  while (next < funnel.steps.length && stepMatches(funnel.steps[next]!, event)) {
    reached.push(next);
    progress = { step: next, startedMs: progress?.startedMs ?? eventMs };
    next += 1;
  }
  return { progress, reached };
}

export function encodeProgress(progress: FunnelProgress): string {
  return `${progress.step}:${progress.startedMs}`;
}

export function decodeProgress(text: string | null | undefined): FunnelProgress | null {
  if (text == null) return null;
  const [step, started] = text.split(':');
  const s = Number(step);
  const t = Number(started);
  return Number.isInteger(s) && Number.isFinite(t) ? { step: s, startedMs: t } : null;
}
