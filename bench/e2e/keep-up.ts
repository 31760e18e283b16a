import { MAPPINGS } from '../../core/mappings.ts';
import { TOPICS } from '../../core/topics.ts';

/** One consumer group on events.raw, and how a step judges it. */
export interface JudgedGroup {
  readonly groupId: string;
  readonly windowMs: number;
  /**
   * 'trend': the lag must not grow over the step's second half (hot path, short windows).
   * 'drain': the warm and cold loaders hold records for seconds on purpose (full batches make
   * few large inserts and objects), so their lag right after a step says nothing; they must
   * empty their backlog soon after the load ends instead.
   */
  readonly judge: 'trend' | 'drain';
  /** Starts at LATEST: owes nothing from before it first joined. */
  readonly fromLatest: boolean;
}

export const EVENTS_RAW_GROUPS: readonly JudgedGroup[] = MAPPINGS.filter(
  (m) => m.topic === TOPICS.eventsRaw.name,
).map((m) => ({
  groupId: m.groupId,
  windowMs: m.batchingWindowMs,
  judge: m.writes.includes('warm') || m.writes.includes('cold') ? 'drain' : 'trend',
  fromLatest: m.startingPosition === 'LATEST',
}));

/** Least-squares slope of lag against time, in records per second. */
export function lagSlope(samples: readonly { readonly t: number; readonly lag: number }[]): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mt = samples.reduce((s, p) => s + p.t, 0) / n;
  const ml = samples.reduce((s, p) => s + p.lag, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of samples) {
    num += (p.t - mt) * (p.lag - ml);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 1000;
}

/**
 * A trend group keeps up when, over the second half of the step, its lag grows by less than a
 * quarter of the arrival rate per second and stays under five seconds of traffic. The batching
 * sawtooth on a busy 2-core machine puts about ±0.25 x rate of noise into a 10 s slope (measured:
 * +251/s at 1000/s with every group drained 2-3 s after the step), so a finer share would judge
 * noise; a group short by more than a quarter still fails here, and a smaller shortfall shows in
 * the drain times each step records.
 */
export const TREND_RULE = { maxSlopeShare: 0.25, maxMeanLagSeconds: 5 } as const;

export interface GroupVerdict {
  readonly slope_per_s: number;
  readonly mean_lag: number;
  readonly keeps_up: boolean;
}

export function judgeTrend(
  samples: readonly { readonly t: number; readonly lag: number }[],
  target: number,
): GroupVerdict {
  const slope = lagSlope(samples);
  const mean = samples.length === 0 ? 0 : samples.reduce((s, p) => s + p.lag, 0) / samples.length;
  return {
    slope_per_s: Math.round(slope),
    mean_lag: Math.round(mean),
    keeps_up: slope < TREND_RULE.maxSlopeShare * target && mean < TREND_RULE.maxMeanLagSeconds * target,
  };
}

/**
 * How long a drain group may take to empty after the load stops: its own window, plus a quarter
 * of the step (a loader running 10% slow through a step needs about a tenth of it to catch up),
 * plus a few seconds for the commit to land.
 */
export function drainAllowanceMs(windowMs: number, stepS: number): number {
  return windowMs + stepS * 250 + 3000;
}
