import { type BoundedTally, type TallyBound, tallyOperands } from './bounded-tally.ts';

/**
 * What one batch does to the hot tier, gathered in memory so that the number of commands
 * grows with the distinct keys a batch touches, not with its events, and then sent as one
 * atomic script call (see io/redis/offset-gate.ts).
 */
export class RedisPlan {
  readonly hashIncrements = new Map<string, Map<string, number>>();
  readonly sortedSetIncrements = new Map<string, Map<string, number>>();
  readonly hyperLogLogAdds = new Map<string, Set<string>>();
  /** Destination HyperLogLog and the ones merged into it, after this batch's adds. */
  readonly hyperLogLogMerges = new Map<string, Set<string>>();
  /** String values with an absolute expiry in epoch milliseconds. */
  readonly strings = new Map<string, { value: string; expireAtMs: number }>();
  /**
   * Hash fields set (HSET, many fields a call): the first sights of event ids. A first sight is
   * the same offset whichever consumer records it, so a field set twice holds the same value.
   */
  readonly hashSets = new Map<string, Map<string, { field: Buffer | string; value: string }>>();
  readonly hashDeletes = new Map<string, Set<string>>();
  /** Byte ranges written into strings made `size` bytes long (zeros) when absent. */
  readonly ranges = new Map<string, { size: number; writes: { at: number; bytes: string }[] }>();
  /**
   * Fields this plan sets that another writer may have set to something else meanwhile; the
   * apply step checks them before it writes anything and refuses the whole plan on a mismatch.
   */
  readonly claims = new Map<string, Map<string, string>>();
  /** Absolute expiry (epoch seconds) per key; the latest wins. */
  readonly expiries = new Map<string, number>();
  /**
   * Tallies whose values the apply step admits under a bound (core/aggregation/bounded-tally.ts):
   * the breakdown buckets.
   */
  readonly boundedTallies = new Map<string, BoundedTally>();
  /**
   * Per HyperLogLog of one value of a bounded tally, the visitors to add to it (as indexes into
   * `visitors`), which the apply step adds only while that value has a place in the tally
   * (decided by the same script).
   */
  readonly tallyValueVisitors = new Map<string, TallyValueVisitors>();
  /**
   * The visitors the tally values' HyperLogLogs name, each once: a batch's visitor is in one
   * value of every dimension, so sending it once and its index per value keeps the script's
   * arguments near the batch's own size.
   */
  readonly visitors: string[] = [];
  readonly #visitorIndexes = new Map<string, number>();

  hashIncrement(key: string, field: string, by: number, expireAtSec: number): void {
    if (!Number.isInteger(by)) throw new Error(`hash increment ${key} ${field}: ${by} is not an integer`);
    const fields = this.hashIncrements.get(key) ?? new Map<string, number>();
    fields.set(field, (fields.get(field) ?? 0) + by);
    this.hashIncrements.set(key, fields);
    this.expire(key, expireAtSec);
  }

  sortedSetIncrement(key: string, member: string, by: number, expireAtSec: number): void {
    const members = this.sortedSetIncrements.get(key) ?? new Map<string, number>();
    members.set(member, (members.get(member) ?? 0) + by);
    this.sortedSetIncrements.set(key, members);
    this.expire(key, expireAtSec);
  }

  hyperLogLogAdd(key: string, element: string, expireAtSec: number): void {
    const elements = this.hyperLogLogAdds.get(key) ?? new Set<string>();
    elements.add(element);
    this.hyperLogLogAdds.set(key, elements);
    this.expire(key, expireAtSec);
  }

  /** Folds `source` into `destination` (PFMERGE) once per batch, however many events led here. */
  hyperLogLogMerge(destination: string, source: string, expireAtSec: number): void {
    const sources = this.hyperLogLogMerges.get(destination) ?? new Set<string>();
    sources.add(source);
    this.hyperLogLogMerges.set(destination, sources);
    this.expire(destination, expireAtSec);
  }

  setString(key: string, value: string, expireAtMs: number): void {
    this.strings.set(key, { value, expireAtMs });
  }

  hashSet(key: string, field: Buffer | string, value: string, expireAtSec: number): void {
    const fields = this.hashSets.get(key) ?? new Map();
    const id = typeof field === 'string' ? field : field.toString('latin1');
    fields.set(id, { field, value });
    this.hashSets.set(key, fields);
    this.expire(key, expireAtSec);
  }

  writeRange(key: string, size: number, at: number, bytes: string, expireAtSec: number): void {
    const range = this.ranges.get(key) ?? { size, writes: [] };
    range.writes.push({ at, bytes });
    this.ranges.set(key, range);
    this.expire(key, expireAtSec);
  }

  hashDelete(key: string, field: string): void {
    const fields = this.hashDeletes.get(key) ?? new Set<string>();
    fields.add(field);
    this.hashDeletes.set(key, fields);
  }

  /** Sets `field` to `value` unless it already holds another value, in which case nothing applies. */
  claimField(key: string, field: string, value: string): void {
    const fields = this.claims.get(key) ?? new Map<string, string>();
    fields.set(field, value);
    this.claims.set(key, fields);
  }

  /** The bounded tally of `key`, to add a batch's values to; made empty on first use. */
  boundedTally(key: string, bound: TallyBound, expireAtSec: number): BoundedTally {
    let tally = this.boundedTallies.get(key);
    if (tally === undefined) {
      tally = { bound, members: new Map() };
      this.boundedTallies.set(key, tally);
    }
    this.expire(key, expireAtSec);
    return tally;
  }

  /** The index of `visitor` in `visitors`, for tallyValueVisitors. */
  visitorIndex(visitor: string): number {
    let index = this.#visitorIndexes.get(visitor);
    if (index === undefined) {
      index = this.visitors.length + 1;
      this.visitors.push(visitor);
      this.#visitorIndexes.set(visitor, index);
    }
    return index;
  }

  /**
   * The visitor indexes (visitorIndex) to add to `hll`, the HyperLogLog of `value` of the
   * bounded tally `tally`, if the value has a place there; made empty on first use.
   */
  tallyValueVisitorSet(tally: string, value: string, hll: string, expireAtSec: number): Set<number> {
    let entry = this.tallyValueVisitors.get(hll);
    if (entry === undefined) {
      entry = { tally, value, expireAtSec, visitors: new Set() };
      this.tallyValueVisitors.set(hll, entry);
    }
    return entry.visitors;
  }

  private expire(key: string, atSec: number): void {
    const current = this.expiries.get(key);
    if (current === undefined || atSec > current) this.expiries.set(key, atSec);
  }

  isEmpty(): boolean {
    return (
      this.hashIncrements.size === 0 &&
      this.sortedSetIncrements.size === 0 &&
      this.hyperLogLogAdds.size === 0 &&
      this.hyperLogLogMerges.size === 0 &&
      this.strings.size === 0 &&
      this.hashSets.size === 0 &&
      this.hashDeletes.size === 0 &&
      this.ranges.size === 0 &&
      this.claims.size === 0 &&
      this.boundedTallies.size === 0 &&
      this.tallyValueVisitors.size === 0
    );
  }
}

/** The visitors of one value of a bounded tally, for its HyperLogLog (RedisPlan.tallyValueVisitors). */
export interface TallyValueVisitors {
  readonly tally: string;
  readonly value: string;
  readonly expireAtSec: number;
  /** Indexes into RedisPlan.visitors, from 1. */
  readonly visitors: Set<number>;
}

/** Elements per PFADD call inside the script; Lua's unpack() has a stack limit near 8000. */
const PFADD_CHUNK = 1000;

/** A plan as the KEYS and ARGV of the apply script (io/redis/apply-script.ts). */
export interface EncodedPlan {
  /** Every key the script touches, `leadingKeys` first; ARGV names a key by its 1-based index here. */
  readonly keys: string[];
  readonly args: (string | Buffer)[];
}

/**
 * The plan as the script walks it. ElastiCache Serverless (cluster mode) requires every key a
 * script touches to be declared in KEYS, so the ops name keys by index into KEYS, never by name.
 * args: the claim count C, then C triples `key field value`, then the ops, each an op letter
 * and its operands: h key field by | z key member by | p key n e1..en | m dest n src1..srcn |
 * s key value pxat | F packed-field-sets (packedFieldSets) | d key field | r key size at bytes |
 * E at key-indexes (comma-separated) | B key bounded-tally (tallyOperands) | U n v1..vn (the
 * visitors that V ops name by index) | V tally hll expire-at value indexes (comma-separated).
 * Merges follow the adds, so a merge sees this batch's elements; a tally value's visitors
 * follow the tallies, so they see the places this batch took.
 */
export function encodePlan(plan: RedisPlan, leadingKeys: readonly string[] = []): EncodedPlan {
  const keys = [...leadingKeys];
  const index = new Map(keys.map((k, i) => [k, String(i + 1)]));
  const ref = (key: string): string => {
    let i = index.get(key);
    if (i === undefined) {
      keys.push(key);
      i = String(keys.length);
      index.set(key, i);
    }
    return i;
  };
  const claims: string[] = [];
  for (const [key, fields] of plan.claims) {
    for (const [field, value] of fields) claims.push(ref(key), field, value);
  }
  const ops: (string | Buffer)[] = [String(claims.length / 3), ...claims];
  for (const [key, fields] of plan.hashIncrements) {
    for (const [field, by] of fields) if (by !== 0) ops.push('h', ref(key), field, String(by));
  }
  for (const [key, members] of plan.sortedSetIncrements) {
    for (const [member, by] of members) if (by !== 0) ops.push('z', ref(key), member, String(by));
  }
  for (const [key, elements] of plan.hyperLogLogAdds) {
    const all = [...elements];
    for (let i = 0; i < all.length; i += PFADD_CHUNK) {
      const chunk = all.slice(i, i + PFADD_CHUNK);
      ops.push('p', ref(key), String(chunk.length), ...chunk);
    }
  }
  for (const [destination, sources] of plan.hyperLogLogMerges) {
    ops.push('m', ref(destination), String(sources.size), ...[...sources].map(ref));
  }
  for (const [key, { value, expireAtMs }] of plan.strings) {
    ops.push('s', ref(key), value, String(expireAtMs));
  }
  for (const [key, tally] of plan.boundedTallies)
    if (tally.members.size > 0) ops.push('B', ref(key), ...tallyOperands(tally));
  if (plan.tallyValueVisitors.size > 0) {
    ops.push('U', String(plan.visitors.length), ...plan.visitors);
    for (const [hll, { tally, value, expireAtSec, visitors }] of plan.tallyValueVisitors)
      ops.push('V', ref(tally), ref(hll), String(expireAtSec), value, [...visitors].join(','));
  }
  const fieldSets = packedFieldSets(plan, ref);
  if (fieldSets.length > 0) ops.push('F', fieldSets);
  for (const [key, fields] of plan.hashDeletes) for (const field of fields) ops.push('d', ref(key), field);
  for (const [key, { size, writes }] of plan.ranges)
    for (const { at, bytes } of writes) ops.push('r', ref(key), String(size), String(at), bytes);
  // Keys sharing an expiry (every shard a batch's first sights touch, each minute's counters)
  // go in one op: its cost follows the bytes, not an op of three arguments per key. As text:
  // a command whose arguments are all strings is written by the client in one piece, one with
  // a Buffer among them argument by argument.
  const byExpiry = new Map<number, string[]>();
  for (const [key, at] of plan.expiries) {
    const refs = byExpiry.get(at) ?? [];
    refs.push(ref(key));
    byExpiry.set(at, refs);
  }
  for (const [at, refs] of byExpiry) ops.push('E', String(at), refs.join(','));
  return { keys, args: ops };
}

/**
 * The plan's hash field sets as one argument: per field the key's index (uint32, big-endian),
 * the field and the value, each of the latter two preceded by its length in one byte. One
 * argument for a batch's first sights, where a field per argument cost the client more than
 * everything else the leader sends (one field per event, in a different small hash each).
 */
function packedFieldSets(plan: RedisPlan, ref: (key: string) => string): Buffer {
  const sets: { index: number; name: Buffer | string; value: string }[] = [];
  let size = 0;
  for (const [key, fields] of plan.hashSets) {
    const index = Number(ref(key));
    for (const { field, value } of fields.values()) {
      const nameBytes = typeof field === 'string' ? Buffer.byteLength(field) : field.length;
      const valueBytes = Buffer.byteLength(value);
      if (nameBytes > 255 || valueBytes > 255)
        throw new Error(`hash field set ${key}: field and value must be at most 255 bytes`);
      sets.push({ index, name: field, value });
      size += 6 + nameBytes + valueBytes;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const { index, name, value } of sets) {
    at = out.writeUInt32BE(index, at);
    const nameAt = at + 1;
    const nameEnd =
      typeof name === 'string' ? nameAt + out.write(name, nameAt) : nameAt + name.copy(out, nameAt);
    out[at] = nameEnd - nameAt;
    const valueEnd = nameEnd + 1 + out.write(value, nameEnd + 1);
    out[nameEnd] = valueEnd - nameEnd - 1;
    at = valueEnd;
  }
  return out;
}
