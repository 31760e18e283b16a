import type { FunnelDefinition } from '../aggregation/funnel-definition.ts';
import { type Tally, topN } from '../aggregation/window-merge.ts';
import type { TimeseriesMetric } from './channels.ts';
import type { JsonObject } from './merge-patch.ts';

/**
 * Channel snapshots built from what the hot tier holds, pure so the numbers a dashboard shows
 * are tested without Redis. Money is in major units (cents / 100), rounded to cents.
 */

/** A per-second counter hash of the hot tier: `t:<type>`, `ord`, `rev:<CUR>` fields. */
export type CounterHash = Readonly<Record<string, string>>;

/** The live window the dashboard shows: five minutes, one point a second. */
export const LIVE_WINDOW_SECONDS = 300;

const money = (minor: number) => Math.round(minor) / 100;

interface SecondTotals {
  readonly byType: Record<string, number>;
  readonly orders: number;
  readonly revenueMinor: Record<string, number>;
}

function totalsOf(hash: CounterHash): SecondTotals {
  const byType: Record<string, number> = {};
  const revenueMinor: Record<string, number> = {};
  let orders = 0;
  for (const [field, raw] of Object.entries(hash)) {
    const n = Number(raw);
    if (field.startsWith('t:')) byType[field.slice(2)] = n;
    else if (field.startsWith('rev:')) revenueMinor[field.slice(4)] = n;
    else if (field === 'ord') orders = n;
  }
  return { byType, orders, revenueMinor };
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export interface OverviewInputs {
  /** Epoch second of the first hash; hashes are consecutive seconds, oldest first. */
  readonly fromSecond: number;
  readonly seconds: readonly CounterHash[];
  readonly uniqueVisitors: number;
  readonly activeNow: number;
}

export function overviewSnapshot(input: OverviewInputs): JsonObject {
  const byType: Record<string, number> = {};
  const revenueMinor: Record<string, number> = {};
  let orders = 0;
  for (const hash of input.seconds) {
    const t = totalsOf(hash);
    add(byType, t.byType);
    add(revenueMinor, t.revenueMinor);
    orders += t.orders;
  }
  // The newest second is still filling; the rate is taken over the ten before it.
  const recent = input.seconds.slice(-11, -1);
  let recentEvents = 0;
  for (const hash of recent) for (const n of Object.values(totalsOf(hash).byType)) recentEvents += n;
  const revenue: Record<string, number> = {};
  for (const [cur, minor] of Object.entries(revenueMinor)) revenue[cur] = money(minor);
  return {
    window_s: input.seconds.length,
    events: Object.values(byType).reduce((a, b) => a + b, 0),
    by_type: byType,
    orders,
    revenue,
    unique_visitors: input.uniqueVisitors,
    active_now: input.activeNow,
    events_per_s: recent.length === 0 ? 0 : Math.round((recentEvents / recent.length) * 10) / 10,
  };
}

/**
 * A per-second series keyed by epoch second, so the sliding window travels as a merge patch
 * of the seconds that arrived and the ones that left. Seconds with nothing are left out.
 */
export function timeseriesSnapshot(
  metric: TimeseriesMetric,
  fromSecond: number,
  seconds: readonly CounterHash[],
): JsonObject {
  const points: JsonObject = {};
  seconds.forEach((hash, i) => {
    const t = totalsOf(hash);
    const key = String(fromSecond + i);
    if (metric === 'events' && Object.keys(t.byType).length > 0) points[key] = t.byType;
    if (metric === 'orders' && t.orders > 0) points[key] = t.orders;
    if (metric === 'revenue' && Object.keys(t.revenueMinor).length > 0) {
      const revenue: JsonObject = {};
      for (const [cur, minor] of Object.entries(t.revenueMinor)) revenue[cur] = money(minor);
      points[key] = revenue;
    }
  });
  return { metric, step_s: 1, from: fromSecond, to: fromSecond + seconds.length, points };
}

export const TOP_ITEMS = 10;

export function topSnapshot(dimension: string, windowSeconds: number, tally: Tally): JsonObject {
  return {
    dimension,
    window_s: windowSeconds,
    items: topN(tally, TOP_ITEMS).map((r) => ({ member: r.member, score: r.score })),
  };
}

/**
 * Visitors reaching each step (summed over the minute hashes of the window) and the share of
 * the previous step that went on, which is what a launch team watches.
 */
export function funnelSnapshot(
  definition: FunnelDefinition,
  windowSeconds: number,
  minutes: readonly CounterHash[],
): JsonObject {
  const reached = definition.steps.map(() => 0);
  for (const hash of minutes)
    for (const [field, raw] of Object.entries(hash)) {
      const i = Number(field);
      if (Number.isInteger(i) && i >= 0 && i < reached.length) reached[i] = (reached[i] ?? 0) + Number(raw);
    }
  return {
    window_s: windowSeconds,
    steps: definition.steps.map((step, i) => {
      const prev = i === 0 ? undefined : reached[i - 1];
      const users = reached[i] ?? 0;
      return {
        label: step.label,
        users,
        conversion: prev === undefined ? 1 : prev === 0 ? 0 : Math.round((users / prev) * 1000) / 1000,
      };
    }),
  };
}

export function opsSnapshot(fromSecond: number, seconds: readonly CounterHash[]): JsonObject {
  const overview = overviewSnapshot({ fromSecond, seconds, uniqueVisitors: 0, activeNow: 0 });
  return { ingest_per_s: overview.events_per_s ?? 0, events_5m: overview.events ?? 0 };
}
