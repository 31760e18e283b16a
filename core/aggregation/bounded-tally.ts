/**
 * A breakdown bucket's tally as a batch adds to it: per value of one dimension, events, orders
 * and revenue per currency. Which values get a place of their own is not decided here but by
 * the apply step (io/redis/apply-script.ts, op `B`), inside the atomic script and against what
 * the bucket already holds: a decision taken while planning would read the bucket before
 * another partition's batch wrote to it, and two batches could both take its last place.
 *
 * The bucket's hash (one per project, dimension and minute):
 *
 * | field              | holds                                                               |
 * |--------------------|---------------------------------------------------------------------|
 * | `#`                | values admitted so far (at most `bound.values`)                     |
 * | `e:{v}` / `o:{v}`  | events / orders of admitted value v                                 |
 * | `r:{CUR}:{v}`      | revenue of v in currency CUR, minor units                           |
 * | `*e`, `*o`, `*r:{CUR}` | the same for every value without a place: "other"               |
 * | `$` / `$:{CUR}`    | currencies admitted so far (at most `bound.currencies`) / each one  |
 * | `!r`               | revenue entries of currencies without a place, not kept             |
 *
 * A value is admitted at its first sight while the bucket has room and keeps its place for the
 * bucket's life, so its counts are whole from its first event on: a value is either counted
 * exactly under its own name or wholly in "other" from the moment the bucket filled up, and
 * nothing is counted twice. Within a batch, values are offered largest first (then by name), so
 * a redelivered batch meets the same order and a real campaign with many events in a batch
 * goes in ahead of a bot's one-event names.
 */

export interface TallyBound {
  /** Values with a place of their own per bucket; the rest count as "other". */
  readonly values: number;
  /** Currencies whose revenue a bucket keeps. */
  readonly currencies: number;
}

export interface TallyCounts {
  events: number;
  orders: number;
  /** Minor units per currency. */
  readonly revenue: Map<string, number>;
}

/** `v{value}` for a value that may take a place, `x` for one that goes to "other" whatever the room. */
export type TallyMember = `v${string}` | 'x';

export const OTHER_MEMBER: TallyMember = 'x';
export const memberOf = (value: string): TallyMember => `v${value}`;

export interface BoundedTally {
  readonly bound: TallyBound;
  readonly members: Map<TallyMember, TallyCounts>;
}

export function addToTally(
  tally: BoundedTally,
  member: TallyMember,
  add: { readonly orders: number; readonly revenue?: { readonly currency: string; readonly minor: number } },
): void {
  let counts = tally.members.get(member);
  if (counts === undefined) {
    counts = { events: 0, orders: 0, revenue: new Map() };
    tally.members.set(member, counts);
  }
  counts.events += 1;
  counts.orders += add.orders;
  if (add.revenue)
    counts.revenue.set(
      add.revenue.currency,
      (counts.revenue.get(add.revenue.currency) ?? 0) + add.revenue.minor,
    );
}

/**
 * The tally as the operands of op `B` after its key: the bound, then per member (largest
 * first, then by name: the order in which values claim places) the member, events, orders, the
 * number of currencies and each currency with its minor units.
 */
export function tallyOperands(tally: BoundedTally): string[] {
  const members = [...tally.members].sort(
    ([a, x], [b, y]) => y.events - x.events || (a < b ? -1 : a > b ? 1 : 0),
  );
  const out = [String(tally.bound.values), String(tally.bound.currencies), String(members.length)];
  for (const [member, counts] of members) {
    out.push(member, String(counts.events), String(counts.orders), String(counts.revenue.size));
    for (const [currency, minor] of [...counts.revenue].sort(([a], [b]) => (a < b ? -1 : 1)))
      out.push(currency, String(minor));
  }
  return out;
}

/** What one bucket's hash says, per value and for "other". */
export interface TallyReading {
  readonly values: Map<string, TallyCounts>;
  readonly other: TallyCounts;
  readonly currencies: ReadonlySet<string>;
  /** Revenue entries left out because their currency found no place. */
  readonly revenueLeftOut: number;
}

const emptyCounts = (): TallyCounts => ({ events: 0, orders: 0, revenue: new Map() });

/** A bucket's hash (HGETALL) read back into counts. */
export function readTallyHash(hash: Readonly<Record<string, string>>): TallyReading {
  const values = new Map<string, TallyCounts>();
  const other = emptyCounts();
  const currencies = new Set<string>();
  let revenueLeftOut = 0;
  const of = (value: string) => {
    let c = values.get(value);
    if (c === undefined) {
      c = emptyCounts();
      values.set(value, c);
    }
    return c;
  };
  for (const [field, raw] of Object.entries(hash)) {
    const n = Number(raw);
    if (field.startsWith('e:')) of(field.slice(2)).events += n;
    else if (field.startsWith('o:')) of(field.slice(2)).orders += n;
    // r:{CUR}:{v}: a currency is three letters (core/events/event-schema.ts), so v starts at 6.
    else if (field.startsWith('r:')) of(field.slice(6)).revenue.set(field.slice(2, 5), n);
    else if (field === '*e') other.events += n;
    else if (field === '*o') other.orders += n;
    else if (field.startsWith('*r:')) other.revenue.set(field.slice(3), n);
    else if (field.startsWith('$:')) currencies.add(field.slice(2));
    else if (field === '!r') revenueLeftOut = n;
  }
  return { values, other, currencies, revenueLeftOut };
}

/** Several buckets' readings added up: per value, "other", and whether revenue was left out anywhere. */
export interface MergedTally {
  readonly values: Map<string, TallyCounts>;
  readonly other: TallyCounts;
  /** Per bucket, the currencies it kept revenue of; a currency missing from one lost revenue there only if `revenueLeftOut`. */
  readonly buckets: readonly { readonly currencies: ReadonlySet<string>; readonly revenueLeftOut: number }[];
}

function addCounts(into: TallyCounts, from: TallyCounts): void {
  into.events += from.events;
  into.orders += from.orders;
  for (const [currency, minor] of from.revenue)
    into.revenue.set(currency, (into.revenue.get(currency) ?? 0) + minor);
}

export function mergeTallyReadings(readings: readonly TallyReading[]): MergedTally {
  const values = new Map<string, TallyCounts>();
  const other = emptyCounts();
  for (const r of readings) {
    for (const [value, counts] of r.values) {
      let into = values.get(value);
      if (into === undefined) {
        into = emptyCounts();
        values.set(value, into);
      }
      addCounts(into, counts);
    }
    addCounts(other, r.other);
  }
  return {
    values,
    other,
    buckets: readings.map((r) => ({ currencies: r.currencies, revenueLeftOut: r.revenueLeftOut })),
  };
}
