import { type Tally, topN } from '../aggregation/window-merge.ts';
import type { JsonObject } from './merge-patch.ts';
import type { CounterHash } from './snapshots.ts';

/**
 * The tweets and alerts channels, built from the tweets aggregator's minute hashes
 * (core/aggregation/tweets.ts: `n`, `n:<label>`, `a`, `t:<topic>:n|s`, `h:<tag>:n|s`, sums of
 * sentiment ×10⁴) and its hashtag and alert sorted sets. Pure, so the panel's numbers are
 * tested without Redis.
 */

/** Sentiment sums are kept in ten-thousandths by the aggregator. */
const SCORE_SCALE = 10_000;
/** Topics drawn as lines: more than this is unreadable at a glance. */
export const CHART_TOPICS = 6;
export const TOP_HASHTAGS = 10;
export const MAX_ALERTS = 20;

interface NameTotals {
  n: number;
  s: number;
}

interface MinuteTotals {
  readonly tweets: number;
  readonly alerts: number;
  readonly labels: Record<string, number>;
  readonly topics: Map<string, NameTotals>;
  readonly hashtags: Map<string, NameTotals>;
}

function addTo(map: Map<string, NameTotals>, name: string, part: string, value: number): void {
  const totals = map.get(name) ?? { n: 0, s: 0 };
  if (part === 'n') totals.n += value;
  else if (part === 's') totals.s += value;
  else return;
  map.set(name, totals);
}

function minuteTotals(hash: CounterHash): MinuteTotals {
  const labels: Record<string, number> = {};
  const topics = new Map<string, NameTotals>();
  const hashtags = new Map<string, NameTotals>();
  let tweets = 0;
  let alerts = 0;
  for (const [field, raw] of Object.entries(hash)) {
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    if (field === 'n') tweets = value;
    else if (field === 'a') alerts = value;
    else if (field.startsWith('n:')) labels[field.slice(2)] = value;
    else if (field.startsWith('t:') || field.startsWith('h:')) {
      // The name sits between the kind and the last ':'; names may hold ':' themselves.
      const cut = field.lastIndexOf(':');
      if (cut <= 2) continue;
      addTo(field[0] === 't' ? topics : hashtags, field.slice(2, cut), field.slice(cut + 1), value);
    }
  }
  return { tweets, alerts, labels, topics, hashtags };
}

const mean = (t: NameTotals) => (t.n === 0 ? 0 : Math.round((t.s / SCORE_SCALE / t.n) * 1000) / 1000);

function merge(into: Map<string, NameTotals>, from: ReadonlyMap<string, NameTotals>): void {
  for (const [name, t] of from) {
    const acc = into.get(name) ?? { n: 0, s: 0 };
    acc.n += t.n;
    acc.s += t.s;
    into.set(name, acc);
  }
}

function byCount(totals: ReadonlyMap<string, NameTotals>): Map<string, number> {
  return new Map([...totals].map(([name, t]) => [name, t.n]));
}

export interface TweetInputs {
  /** Epoch second of the first minute; hashes are consecutive minutes, oldest first. */
  readonly fromMinute: number;
  readonly minutes: readonly CounterHash[];
  /** The window asked for; the minutes read cover it in whole minutes, so one more at most. */
  readonly windowSeconds?: number;
  /**
   * Hashtag counts of the sliding window (10-second buckets merged), when read; without it
   * hashtags are ranked from the minute hashes of the whole range.
   */
  readonly hashtagWindow?: { readonly seconds: number; readonly tally: Tally };
}

/**
 * Volume, sentiment labels, mean sentiment per topic over the range and per minute (keyed by
 * minute, so a delta carries the new minute and the one that left), and top hashtags with
 * their mean sentiment. Minutes without tweets are left out of the series.
 */
export function tweetsSnapshot(input: TweetInputs): JsonObject {
  const labels: Record<string, number> = {};
  const topics = new Map<string, NameTotals>();
  const hashtags = new Map<string, NameTotals>();
  const perMinute: MinuteTotals[] = input.minutes.map(minuteTotals);
  let tweets = 0;
  let alerts = 0;
  for (const m of perMinute) {
    tweets += m.tweets;
    alerts += m.alerts;
    for (const [label, n] of Object.entries(m.labels)) labels[label] = (labels[label] ?? 0) + n;
    merge(topics, m.topics);
    merge(hashtags, m.hashtags);
  }
  const charted = topN(byCount(topics), CHART_TOPICS).map((r) => r.member);
  const points: JsonObject = {};
  perMinute.forEach((m, i) => {
    const point: JsonObject = {};
    for (const topic of charted) {
      const t = m.topics.get(topic);
      if (t && t.n > 0) point[topic] = mean(t);
    }
    if (Object.keys(point).length > 0) points[String(input.fromMinute + i * 60)] = point;
  });
  const window = input.hashtagWindow;
  const ranked = topN(window ? window.tally : byCount(hashtags), TOP_HASHTAGS);
  return {
    window_s: input.windowSeconds ?? input.minutes.length * 60,
    step_s: 60,
    from: input.fromMinute,
    to: input.fromMinute + input.minutes.length * 60,
    count: tweets,
    alert_count: alerts,
    labels,
    topics: Object.fromEntries(
      topN(byCount(topics), Math.max(CHART_TOPICS, 12)).map((r) => {
        const t = topics.get(r.member) as NameTotals;
        return [r.member, { n: t.n, sentiment: mean(t) }];
      }),
    ),
    points,
    hashtags_window_s: window ? window.seconds : input.minutes.length * 60,
    hashtags: ranked.map((r) => {
      const t = hashtags.get(r.member);
      return { tag: r.member, n: r.score, sentiment: t ? mean(t) : null };
    }),
  };
}

export interface AlertMinute {
  /** Epoch second of the minute. */
  readonly minute: number;
  /** Tweet id -> risk score, from the minute's alert sorted set. */
  readonly scores: Tally;
}

/** Toxicity alerts of the range: how many, and the newest first (riskiest first within a minute). */
export function alertsSnapshot(windowSeconds: number, minutes: readonly AlertMinute[]): JsonObject {
  const items: { id: string; risk: number; minute: number }[] = [];
  let count = 0;
  for (const m of minutes)
    for (const [id, risk] of m.scores) {
      count++;
      items.push({ id, risk: Math.round(risk * 1000) / 1000, minute: m.minute });
    }
  items.sort((a, b) => b.minute - a.minute || b.risk - a.risk || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { window_s: windowSeconds, count, items: items.slice(0, MAX_ALERTS) };
}
