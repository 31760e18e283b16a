import { grouped } from './format.ts';

/**
 * A figure against the same figure of an earlier period: a percentage, "new" when the earlier
 * one was zero (no percentage says "from nothing"), or nothing to say when either is unknown.
 */
export type Change =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'new' }
  | { readonly kind: 'percent'; readonly percent: number };

const known = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

export function percentChange(
  current: number | null | undefined,
  baseline: number | null | undefined,
): Change {
  if (!known(current) || !known(baseline)) return { kind: 'unknown' };
  if (baseline === 0) return current === 0 ? { kind: 'percent', percent: 0 } : { kind: 'new' };
  return { kind: 'percent', percent: ((current - baseline) / Math.abs(baseline)) * 100 };
}

/** `+12%`, `−3%` (a minus sign, not a hyphen), `0%`; whole percents, grouped past a thousand. */
export function formatChange(change: Change): string {
  if (change.kind === 'unknown') return '—';
  if (change.kind === 'new') return 'new';
  const rounded = Math.round(change.percent);
  if (rounded === 0) return '0%';
  return `${rounded > 0 ? '+' : '\u2212'}${grouped(Math.abs(rounded), 0)}%`;
}

/** The periods each figure is compared with: the same minutes one day and one week before. */
export const COMPARISON_PERIODS = [
  { name: 'day', label: 'vs yesterday', shiftMs: 86_400_000 },
  { name: 'week', label: 'vs last week', shiftMs: 7 * 86_400_000 },
] as const;
export type ComparisonPeriod = (typeof COMPARISON_PERIODS)[number]['name'];

/** `["+12% vs yesterday", "−3% vs last week"]`, in the order of COMPARISON_PERIODS. */
export function comparisonParts(
  current: number | null | undefined,
  baselines: Readonly<Partial<Record<ComparisonPeriod, number | null | undefined>>>,
): string[] {
  return COMPARISON_PERIODS.map(
    (p) => `${formatChange(percentChange(current, baselines[p.name]))} ${p.label}`,
  );
}

/** `+12% vs yesterday · −3% vs last week`. */
export function comparisonLine(
  current: number | null | undefined,
  baselines: Readonly<Partial<Record<ComparisonPeriod, number | null | undefined>>>,
): string {
  return comparisonParts(current, baselines).join(' · ');
}

/** The range `[fromMs, toMs)` moved back by `shiftMs`, as the query API takes it. */
export function shiftedRange(fromMs: number, toMs: number, shiftMs: number): { from: string; to: string } {
  return { from: new Date(fromMs - shiftMs).toISOString(), to: new Date(toMs - shiftMs).toISOString() };
}
