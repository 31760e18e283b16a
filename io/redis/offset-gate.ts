import type { Redis } from 'ioredis';
import type { Aggregation } from '../../core/aggregation/aggregation.ts';
import {
  DEFAULT_DEDUP_WINDOW_SECONDS,
  type DedupClock,
  dedupClock,
  parseDirectory,
} from '../../core/aggregation/dedup-directory.ts';
import { liveSegments, sightingsOf } from '../../core/aggregation/first-sights.ts';
import { freshEvents, type GatedBatch, planGatedBatch } from '../../core/aggregation/gated-plan.ts';
import type { PositionedEvent } from '../../core/aggregation/msk-batch.ts';
import { parseHighWater } from '../../core/aggregation/offset-gate.ts';
import { redisKeys } from '../../core/aggregation/redis-keys.ts';
import { encodePlan } from '../../core/aggregation/redis-plan.ts';
import { decidedCounts, verdictRanges } from '../../core/aggregation/verdict-log.ts';
import { ConflictError } from '../../core/errors/spate-error.ts';
import { APPLY_PLAN_LUA } from './apply-script.ts';
import { readFirstSights } from './sight-reads.ts';

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
 * high-water, the state the plan needs and the verdicts other consumers left for the batch's
 * offsets in one pipelined round trip; if some record has none, look the batch's ids up in the
 * partition's live dedup segments (one more); plan in memory with the copies left out, then
 * apply the plan, the new first sights and verdicts and the new high-water in one script call
 * that checks the gate first.
 */
export class OffsetGate<E extends { readonly offset: number } = PositionedEvent> {
  private scriptSha: string | undefined;
  private readonly clock: DedupClock;

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

  private async tryApply(batch: GatedBatch<E>, nowMs: number): Promise<GateOutcome | null> {
    const gateKey = redisKeys.gate(this.aggregation.consumer, batch.topic, batch.partition);
    const read = this.redis
      .pipeline()
      .get(gateKey)
      .hgetall(redisKeys.dedupDirectory(batch.topic, batch.partition));
    const stateKeys = this.aggregation.stateKeys(batch.events);
    if (stateKeys.length > 0) read.mget(...stateKeys);
    const ranges =
      batch.events.length > 0 ? verdictRanges(batch, batch.events[0]!.offset, batch.lastOffset) : [];
    for (const r of ranges) read.getrange(r.key, r.start, r.end);
    const replies = (await read.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const highWater = parseHighWater(replies[0]?.[1] as string | null);
    if (batch.lastOffset <= highWater) {
      return { applied: 0, skipped: batch.events.length, copies: 0, highWater, roundTrips: 1 };
    }
    const segments = parseDirectory((replies[1]?.[1] ?? {}) as Record<string, string>);
    const values = (stateKeys.length > 0 ? replies[2]?.[1] : []) as (string | null)[];
    const state = new Map(stateKeys.map((k, i) => [k, values[i] ?? null]));
    const verdictReplies = replies
      .slice(replies.length - ranges.length)
      .map(([, text]) => String(text ?? ''));
    const fresh = freshEvents(batch, highWater);
    const decided = decidedCounts(
      ranges,
      verdictReplies,
      fresh.map((e) => e.offset),
    );
    let roundTrips = 2;
    const stored = new Map<string, number>();
    const sightings = decided === null ? sightingsOf(fresh, (e) => this.aggregation.identityOf(e)) : [];
    const live = liveSegments(this.clock, segments, nowMs);
    if (decided === null && live.length > 0) {
      // This consumer is the first to reach some of these records: it looks their ids up.
      const lookups = this.redis.pipeline();
      const sights = readFirstSights(lookups, batch, live, sightings);
      for (const [hex, tag] of sights.found((await lookups.exec()) ?? [], 0)) stored.set(hex, tag);
      roundTrips += 1;
    }
    const { plan, verdict } = planGatedBatch(
      this.aggregation,
      this.clock,
      batch,
      sightings,
      { highWater, segments, stored, state, decided },
      nowMs,
    );
    const { keys, args } = encodePlan(plan, [gateKey]);
    const [ok, current] = await this.runScript(keys, [String(highWater), String(batch.lastOffset), ...args]);
    if (ok !== 1) return null;
    return {
      applied: verdict.counted.length,
      skipped: batch.events.length - fresh.length,
      copies: verdict.copies,
      highWater: Number(current),
      roundTrips,
    };
  }

  /** EVALSHA first; the script body travels only when the server does not know it yet. */
  private async runScript(keys: string[], args: (string | Buffer)[]): Promise<ApplyReply> {
    if (this.scriptSha) {
      try {
        return (await this.redis.evalsha(this.scriptSha, keys.length, ...keys, ...args)) as ApplyReply;
      } catch (err) {
        if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      }
    }
    this.scriptSha = (await this.redis.script('LOAD', APPLY_PLAN_LUA)) as string;
    return (await this.redis.evalsha(this.scriptSha, keys.length, ...keys, ...args)) as ApplyReply;
  }
}
