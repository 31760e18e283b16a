import type { Redis } from 'ioredis';
import type { Aggregation } from '../../core/aggregation/aggregation.ts';
import {
  DEFAULT_DEDUP_WINDOW_SECONDS,
  type DedupClock,
  type DedupSegment,
  dedupClock,
  parseDirectory,
} from '../../core/aggregation/dedup-directory.ts';
import {
  foundSights,
  liveSegments,
  type Sighting,
  sameSegments,
  sightingsOf,
  sightLookup,
} from '../../core/aggregation/first-sights.ts';
import {
  freshEvents,
  type GatedBatch,
  planGatedBatch,
  undecidedEvents,
} from '../../core/aggregation/gated-plan.ts';
import type { PositionedEvent } from '../../core/aggregation/msk-batch.ts';
import { parseHighWater } from '../../core/aggregation/offset-gate.ts';
import { redisKeys } from '../../core/aggregation/redis-keys.ts';
import { encodePlan } from '../../core/aggregation/redis-plan.ts';
import { readVerdicts, verdictRanges } from '../../core/aggregation/verdict-log.ts';
import { ConflictError } from '../../core/errors/spate-error.ts';
import { APPLY_PLAN_LUA } from './apply-script.ts';
import { GATE_READ_LUA } from './gate-read-script.ts';
import { isNoScript, LuaScript } from './lua-script.ts';

const APPLY_PLAN = new LuaScript(APPLY_PLAN_LUA);
const GATE_READ = new LuaScript(GATE_READ_LUA);

export interface GateOutcome {
  /** Records counted: past the high-water and the first sight of their event id. */
  readonly applied: number;
  /** Records at or below the stored high-water: already applied by an earlier delivery. */
  readonly skipped: number;
  /** Records past the high-water that are copies of an event id already counted. */
  readonly copies: number;
  readonly highWater: number;
  /** Network round trips to Redis for this batch (constant, whatever its size). */
  readonly roundTrips: number;
}

type ApplyReply = [number, string];

/** Concurrent writers kept moving the gate: the batch fails, and its mapping retries it. */
export class GateMovedError extends ConflictError {
  override readonly name = 'GateMovedError';
}

export type { GatedBatch };

export interface OffsetGateOptions {
  /** How long an event id is remembered; default the hot tier's life (24 h). */
  readonly dedupWindowSeconds?: number;
}

/**
 * The hot tier's exactly-once step for one aggregator and one topic-partition batch: read the
 * high-water, the state the plan needs, the verdicts other consumers left for the batch's
 * offsets and, when this consumer is likely to lead, the batch's ids in the partition's live
 * dedup segments, in one pipelined round trip (one more when it leads unexpectedly or the
 * segments changed); plan in memory with the copies left out, then apply the plan, the new
 * first sights and verdicts and the new high-water in one script call that checks the gate
 * first.
 *
 * Why guess who leads: batches are as small as the rate allows (the hot mappings have no
 * batching window), so at a few thousand events a second a batch holds a few records and a
 * round trip costs the function more than its records do. The consumer that reached a
 * partition's records first last time (the fastest one) usually does so again; the others
 * would send lookups the verdicts make unnecessary.
 */
export class OffsetGate<E extends { readonly offset: number } = PositionedEvent> {
  private readonly clock: DedupClock;
  /** Per partition: the live segments as last read, and whether this consumer led the last batch. */
  private readonly lastRead = new Map<string, { live: DedupSegment[]; led: boolean }>();

  constructor(
    private readonly redis: Redis,
    private readonly aggregation: Aggregation<E>,
    options: OffsetGateOptions = {},
  ) {
    this.clock = dedupClock(options.dedupWindowSeconds ?? DEFAULT_DEDUP_WINDOW_SECONDS);
  }

  async apply(batch: GatedBatch<E>, nowMs: number = Date.now()): Promise<GateOutcome> {
    // One retry covers a concurrent invocation that moved the gate between read and apply,
    // another one a consumer of the partition that opened a dedup segment meanwhile.
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = await this.tryApply(batch, nowMs);
      if (outcome) return outcome;
    }
    throw new GateMovedError(
      `gate ${this.aggregation.consumer} ${batch.topic}-${batch.partition}: high-water moved while applying`,
    );
  }

  private async tryApply(
    batch: GatedBatch<E>,
    nowMs: number,
    scriptLoaded = false,
  ): Promise<GateOutcome | null> {
    const gateKey = redisKeys.gate(this.aggregation.consumer, batch.topic, batch.partition);
    const partitionKey = `${batch.topic}:${batch.partition}`;
    const last = this.lastRead.get(partitionKey);
    const guess = last?.led === true && last.live.length > 0 ? last.live : null;
    const identityOf = (e: E) => this.aggregation.identityOf(e);
    // Of every record of the batch: which are past the high-water is known only after the read.
    const guessedSightings = guess ? sightingsOf(batch.events, identityOf) : [];
    const ranges =
      batch.events.length > 0 ? verdictRanges(batch, batch.events[0]!.offset, batch.lastOffset) : [];
    const guessedLookup = sightLookup(batch, guess ?? [], guessedSightings, ranges.length);

    const read = this.redis
      .pipeline()
      .get(gateKey)
      .hgetall(redisKeys.dedupDirectory(batch.topic, batch.partition));
    const stateKeys = this.aggregation.stateKeys(batch.events);
    if (stateKeys.length > 0) read.mget(...stateKeys);
    // A likely leader reads the verdicts and looks ids up in one script; the others read only
    // the verdicts, with commands that cost Redis less than a script call.
    if (guess)
      GATE_READ.queue(
        read,
        [...ranges.map((r) => r.key), ...guessedLookup.keys],
        [
          String(ranges.length),
          ...ranges.flatMap((r) => [String(r.start), String(r.end)]),
          guessedLookup.entries,
        ],
      );
    else for (const r of ranges) read.getrange(r.key, r.start, r.end);
    const replies = (await read.exec()) ?? [];
    for (const [err] of replies) {
      // The server does not know the script yet (first use, or a restart): load it, read again.
      if (err && isNoScript(err) && !scriptLoaded) {
        await GATE_READ.load(this.redis);
        return this.tryApply(batch, nowMs, true);
      }
      if (err) throw err;
    }
    const highWater = parseHighWater(replies[0]?.[1] as string | null);
    if (batch.lastOffset <= highWater) {
      return { applied: 0, skipped: batch.events.length, copies: 0, highWater, roundTrips: 1 };
    }
    const segments = parseDirectory((replies[1]?.[1] ?? {}) as Record<string, string>);
    const values = (stateKeys.length > 0 ? replies[2]?.[1] : []) as (string | null)[];
    const state = new Map(stateKeys.map((k, i) => [k, values[i] ?? null]));
    const dedupRead = guess
      ? ((replies[replies.length - 1]?.[1] ?? []) as (string | number)[])
      : replies.slice(replies.length - ranges.length).map(([, text]) => String(text ?? ''));
    const fresh = freshEvents(batch, highWater);
    const verdicts = readVerdicts(
      ranges,
      dedupRead.slice(0, ranges.length).map(String),
      fresh.map((e) => e.offset),
    );
    const undecided = undecidedEvents(fresh, verdicts);
    const live = liveSegments(this.clock, segments, nowMs);
    this.lastRead.set(partitionKey, { live, led: undecided.length > 0 });
    let roundTrips = 2;
    let stored = new Map<string, number>();
    let sightings: Sighting<E>[] = [];
    if (undecided.length > 0) {
      // This consumer is the first to reach these records: it judges them by their ids.
      const mine = new Set(undecided.map((e) => e.offset));
      sightings = guess
        ? guessedSightings.filter((s) => mine.has(s.event.offset))
        : sightingsOf(undecided, identityOf);
      if (guess && sameSegments(guess, live)) {
        stored = foundSights(guessedLookup, dedupRead.slice(ranges.length) as number[]);
      } else if (live.length > 0) {
        const lookup = sightLookup(batch, live, sightings);
        const pairs = await GATE_READ.run<number[]>(this.redis, lookup.keys, ['0', lookup.entries]);
        stored = foundSights(lookup, pairs);
        roundTrips += 1;
      }
    }
    const { plan, verdict, opened } = planGatedBatch(
      this.aggregation,
      this.clock,
      batch,
      sightings,
      { highWater, segments, stored, state, verdicts },
      nowMs,
    );
    const { keys, args } = encodePlan(plan, [gateKey]);
    const [ok, current] = await APPLY_PLAN.run<ApplyReply>(this.redis, keys, [
      String(highWater),
      String(batch.lastOffset),
      ...args,
    ]);
    if (ok !== 1) return null;
    // Its own new segment is live from now on: the next guess looks ids up there too.
    if (opened) this.lastRead.set(partitionKey, { live: [...live, opened], led: true });
    return {
      applied: verdict.counted.length,
      skipped: batch.events.length - fresh.length,
      copies: verdict.copies,
      highWater: Number(current),
      roundTrips,
    };
  }
}
