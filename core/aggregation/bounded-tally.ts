/**
 * A breakdown bucket's tally as a batch adds to it: per value of one dimension, events, orders,
 * revenue per currency and events per type. Which values get a place of their own is not
 * decided here but by the apply step (io/redis/apply-script.ts, op `B`), inside the atomic
 * script and against what the bucket already holds: a decision taken while planning would read
 * the bucket before another partition's batch wrote to it, and two batches could both take its
 * last place.
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
 * | `t:{type}:{v}`     | events of type `type` of admitted value v (none kept for "other")   |
 * | `T` / `T:{type}`   | types admitted so far (at most `bound.types`) / each one            |
 * | `!t`               | events of admitted values whose type found no place, not kept       |
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
  /** Event types whose events per value a bucket keeps (a filtered overview's `by_type`). */
  readonly types: number;
}

export interface TallyCounts {
  events: number;
  orders: number;
  /** Minor units per currency. */
  readonly revenue: Map<string, number>;
  /** Events per type; kept for values with a place only. */
  readonly byType: Map<string, number>;
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
  add: {
    /** The event's type, for a tally that keeps events per type (core/query/hot-filtered-overview.ts). */
    readonly type?: string;
    readonly orders: number;
    readonly revenue?: { readonly currency: string; readonly minor: number };
  },
): void {
  let counts = tally.members.get(member);
  if (counts === undefined) {
    counts = emptyCounts();
    tally.members.set(member, counts);
  }
  counts.events += 1;
  if (add.type !== undefined) counts.byType.set(add.type, (counts.byType.get(add.type) ?? 0) + 1);
  counts.orders += add.orders;
  if (add.revenue)
    counts.revenue.set(
      add.revenue.currency,
      (counts.revenue.get(add.revenue.currency) ?? 0) + add.revenue.minor,
    );
}

const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The tally as the operands of op `B` after its key: the bound, then per member (largest
 * first, then by name: the order in which values claim places) the member, events, orders, the
 * number of currencies and each currency with its minor units, the number of types and each
 * type with its events.
 */
export function tallyOperands(tally: BoundedTally): string[] {
  const members = [...tally.members].sort(
    ([a, x], [b, y]) => y.events - x.events || (a < b ? -1 : a > b ? 1 : 0),
  );
  const { bound } = tally;
  const out = [String(bound.values), String(bound.currencies), String(bound.types), String(members.length)];
  for (const [member, counts] of members) {
    out.push(member, String(counts.events), String(counts.orders), String(counts.revenue.size));
    for (const [currency, minor] of [...counts.revenue].sort(byName)) out.push(currency, String(minor));
    out.push(String(counts.byType.size));
    for (const [type, events] of [...counts.byType].sort(byName)) out.push(type, String(events));
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
  /** Values admitted so far: below the bound, a value absent from the bucket had no events. */
  readonly admitted: number;
  /** Events of admitted values left out of their `byType` because their type found no place. */
  readonly typesLeftOut: number;
}

const emptyCounts = (): TallyCounts => ({ events: 0, orders: 0, revenue: new Map(), byType: new Map() });

/** A bucket's hash (HGETALL) read back into counts. */
export function readTallyHash(hash: Readonly<Record<string, string>>): TallyReading {
  const values = new Map<string, TallyCounts>();
  const other = emptyCounts();
  const currencies = new Set<string>();
  let revenueLeftOut = 0;
  let admitted = 0;
  let typesLeftOut = 0;
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
    else if (field === '#') admitted = n;
    else if (field === '!t') typesLeftOut = n;
    else if (field.startsWith('t:')) {
      // t:{type}:{v}: a type has no ':' (core/events/event-types.ts), so the first one after it ends it.
      const end = field.indexOf(':', 2);
      const counts = of(field.slice(end + 1));
      counts.byType.set(field.slice(2, end), n);
    }
  }
  return { values, other, currencies, revenueLeftOut, admitted, typesLeftOut };
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
  for (const [type, events] of from.byType) into.byType.set(type, (into.byType.get(type) ?? 0) + events);
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
