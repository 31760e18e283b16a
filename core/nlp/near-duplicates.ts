import { hammingDistance, type SimHash, simhash } from './simhash.ts';

/**
 * Near-duplicate detection over a window of recent tweets: retweet echoes and copy-paste
 * campaigns are marked with the id of the first tweet seen. Memory is bounded by the window
 * size. Lookup uses the pigeonhole trick: with four 16-bit bands, two hashes within
 * `maxDistance` <= 3 bits agree exactly on at least one band, so only tweets sharing a band
 * are compared.
 */
export interface DuplicateWindowOptions {
  /** How many recent tweets are remembered. */
  readonly capacity: number;
  /** Most differing SimHash bits for two tweets to count as the same text (0..3). */
  readonly maxDistance: number;
  /** Tweets with fewer tokens are too short to call copies of one another. */
  readonly minTokens: number;
}

export const DEFAULT_DUPLICATE_WINDOW: DuplicateWindowOptions = {
  capacity: 100_000,
  maxDistance: 3,
  minTokens: 4,
};

interface Entry {
  readonly id: string;
  readonly hash: SimHash;
  /** The first tweet of this text, so chains of copies all point at the origin. */
  readonly originId: string;
}

const BANDS = 4;

/**
 * The entries sharing one band value, oldest first. The window evicts in arrival order, so the
 * entry leaving is the oldest of every list it is in: removal advances `head` instead of
 * searching and splicing a list that copy-paste campaigns make thousands long.
 */
interface BandList {
  entries: Entry[];
  head: number;
}

export class DuplicateWindow {
  private readonly ring: (Entry | undefined)[];
  private next = 0;
  private readonly bands: Map<number, BandList>[] = Array.from({ length: BANDS }, () => new Map());

  constructor(private readonly options: DuplicateWindowOptions = DEFAULT_DUPLICATE_WINDOW) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError('duplicates.capacity: must be a positive integer');
    }
    if (!Number.isInteger(options.maxDistance) || options.maxDistance < 0 || options.maxDistance > 3) {
      throw new RangeError('duplicates.maxDistance: must be an integer from 0 to 3');
    }
    this.ring = new Array(options.capacity);
  }

  /** Remembers the tweet and returns the id of the first near-identical one still in the window. */
  observe(id: string, tokens: readonly string[]): string | undefined {
    if (tokens.length < this.options.minTokens) return undefined;
    const hash = simhash(tokens);
    const match = this.find(hash);
    const entry: Entry = { id, hash, originId: match?.originId ?? id };
    this.insert(entry);
    return match === undefined || match.originId === id ? undefined : match.originId;
  }

  get size(): number {
    return this.ring.reduce((n, e) => (e === undefined ? n : n + 1), 0);
  }

  private find(hash: SimHash): Entry | undefined {
    for (let band = 0; band < BANDS; band++) {
      const list = this.bands[band]?.get(bandKey(hash, band));
      if (list === undefined) continue;
      const { entries } = list;
      for (let i = list.head; i < entries.length; i++) {
        const c = entries[i]!;
        if (hammingDistance(c.hash, hash) <= this.options.maxDistance) return c;
      }
    }
    return undefined;
  }

  private insert(entry: Entry): void {
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.remove(evicted);
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.options.capacity;
    for (let band = 0; band < BANDS; band++) {
      const map = this.bands[band]!;
      const key = bandKey(entry.hash, band);
      const list = map.get(key);
      if (list === undefined) map.set(key, { entries: [entry], head: 0 });
      else list.entries.push(entry);
    }
  }

  private remove(entry: Entry): void {
    for (let band = 0; band < BANDS; band++) {
      const map = this.bands[band]!;
      const key = bandKey(entry.hash, band);
      const list = map.get(key);
      if (list === undefined) continue;
      if (list.entries[list.head] === entry) {
        list.entries[list.head++] = undefined as unknown as Entry;
      } else {
        const at = list.entries.indexOf(entry, list.head);
        if (at >= 0) list.entries.splice(at, 1);
      }
      if (list.head === list.entries.length) {
        map.delete(key);
      } else if (list.head > 1024 && list.head * 2 > list.entries.length) {
        list.entries = list.entries.slice(list.head);
        list.head = 0;
      }
    }
  }
}

function bandKey(hash: SimHash, band: number): number {
  const half = band < 2 ? hash.lo : hash.hi;
  return (half >>> ((band % 2) * 16)) & 0xffff;
}
