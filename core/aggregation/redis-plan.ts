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
  /** Absolute expiry (epoch seconds) per key; the latest wins. */
  readonly expiries = new Map<string, number>();

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
      this.strings.size === 0
    );
  }
}

/** Elements per PFADD call inside the script; Lua's unpack() has a stack limit near 8000. */
const PFADD_CHUNK = 1000;

/**
 * The plan as the flat argument list the apply script walks: an op letter, then its operands.
 * h key field by | z key member by | p key n e1..en | m dest n src1..srcn | s key value pxat |
 * e key at. Merges follow the adds, so a merge sees this batch's elements.
 */
export function encodePlan(plan: RedisPlan): string[] {
  const args: string[] = [];
  for (const [key, fields] of plan.hashIncrements) {
    for (const [field, by] of fields) if (by !== 0) args.push('h', key, field, String(by));
  }
  for (const [key, members] of plan.sortedSetIncrements) {
    for (const [member, by] of members) if (by !== 0) args.push('z', key, member, String(by));
  }
  for (const [key, elements] of plan.hyperLogLogAdds) {
    const all = [...elements];
    for (let i = 0; i < all.length; i += PFADD_CHUNK) {
      const chunk = all.slice(i, i + PFADD_CHUNK);
      args.push('p', key, String(chunk.length), ...chunk);
    }
  }
  for (const [destination, sources] of plan.hyperLogLogMerges) {
    args.push('m', destination, String(sources.size), ...sources);
  }
  for (const [key, { value, expireAtMs }] of plan.strings) {
    args.push('s', key, value, String(expireAtMs));
  }
  for (const [key, at] of plan.expiries) args.push('e', key, String(at));
  return args;
}
