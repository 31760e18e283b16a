import type { Redis } from 'ioredis';
import type { Aggregation } from '../../core/aggregation/aggregation.ts';
import {
  DEFAULT_DEDUP_WINDOW_SECONDS,
  type DedupClock,
  type DedupSegment,
  dedupClock,
  parseDirectory,
  segmentName,
} from '../../core/aggregation/dedup-directory.ts';
import { liveSegments, type Sighting, sightingsOf } from '../../core/aggregation/first-sights.ts';
import { type GatedBatch, planGatedBatch } from '../../core/aggregation/gated-plan.ts';
import type { PositionedEvent } from '../../core/aggregation/msk-batch.ts';
import { parseHighWater, unappliedEvents } from '../../core/aggregation/offset-gate.ts';
import { redisKeys } from '../../core/aggregation/redis-keys.ts';
import { encodePlan } from '../../core/aggregation/redis-plan.ts';
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

export class GateMovedError extends Error {
  override readonly name = 'GateMovedError';
}

export type { GatedBatch };

export interface OffsetGateOptions {
  /** How long an event id is remembered; default the hot tier's life (24 h). */
  readonly dedupWindowSeconds?: number;
}

/**
 * The hot tier's exactly-once step for one aggregator and one topic-partition batch: read the
 * high-water, the state the plan needs and the batch's stored first sights in one pipelined
 * round trip, plan in memory with the copies left out, then apply the whole plan, the new
 * first sights and the new high-water in one script call that checks the gate first.
 */
export class OffsetGate<E extends { readonly offset: number } = PositionedEvent> {
  private scriptSha: string | undefined;
  private readonly clock: DedupClock;
  /** Dedup segments per partition as last read: the lookups are sent with the first read. */
  private readonly knownSegments = new Map<string, DedupSegment[]>();

  constructor(
    private readonly redis: Redis,
    private readonly aggregation: Aggregation<E>,
    options: OffsetGateOptions = {},
  ) {
    this.clock = dedupClock(options.dedupWindowSeconds ?? DEFAULT_DEDUP_WINDOW_SECONDS);
  }

  async apply(batch: GatedBatch<E>, nowMs: number = Date.now()): Promise<GateOutcome> {
    const sightings = sightingsOf(batch.events, (e) => this.aggregation.identityOf(e));
    // One retry covers a concurrent invocation that moved the gate between read and apply,
    // another one a consumer of the partition that opened a dedup segment meanwhile.
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = await this.tryApply(batch, sightings, nowMs);
      if (outcome) return outcome;
    }
    throw new GateMovedError(
      `gate ${this.aggregation.consumer} ${batch.topic}-${batch.partition}: high-water moved while applying`,
    );
  }

  private async tryApply(
    batch: GatedBatch<E>,
    sightings: readonly Sighting<E>[],
    nowMs: number,
  ): Promise<GateOutcome | null> {
    const where = { topic: batch.topic, partition: batch.partition };
    const gateKey = redisKeys.gate(this.aggregation.consumer, batch.topic, batch.partition);
    const directoryKey = redisKeys.dedupDirectory(batch.topic, batch.partition);
    const partitionId = `${batch.topic}-${batch.partition}`;
    const read = this.redis.pipeline().get(gateKey).hgetall(directoryKey);
    const stateKeys = this.aggregation.stateKeys(batch.events);
    if (stateKeys.length > 0) read.mget(...stateKeys);
    const assumed = liveSegments(this.clock, this.knownSegments.get(partitionId) ?? [], nowMs);
    const sights = readFirstSights(read, where, assumed, sightings);
    const replies = (await read.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const highWater = parseHighWater(replies[0]?.[1] as string | null);
    const segments = parseDirectory((replies[1]?.[1] ?? {}) as Record<string, string>);
    this.knownSegments.set(partitionId, segments);
    if (batch.lastOffset <= highWater) {
      return { applied: 0, skipped: batch.events.length, copies: 0, highWater, roundTrips: 1 };
    }
    const values = (stateKeys.length > 0 ? replies[2]?.[1] : []) as (string | null)[];
    const state = new Map(stateKeys.map((k, i) => [k, values[i] ?? null]));
    // Segments opened since the last read were not looked up with it: one more round trip.
    const looked = new Set(assumed.map(segmentName));
    const missed = liveSegments(this.clock, segments, nowMs).filter((s) => !looked.has(segmentName(s)));
    let roundTrips = 2;
    const stored = sights.found(replies);
    if (missed.length > 0) {
      const fresh = new Set(unappliedEvents(batch.events, highWater));
      const more = this.redis.pipeline();
      const moreSights = readFirstSights(
        more,
        where,
        missed,
        sightings.filter((s) => fresh.has(s.event)),
      );
      const moreReplies = (await more.exec()) ?? [];
      for (const [hex, tag] of moreSights.found(moreReplies, 0)) stored.set(hex, tag);
      roundTrips += 1;
    }
    const { plan, verdict, fresh } = planGatedBatch(
      this.aggregation,
      this.clock,
      batch,
      sightings,
      { highWater, segments, stored, state },
      nowMs,
    );
    const { keys, args } = encodePlan(plan, [gateKey]);
    const [ok, current] = await this.runScript(keys, [String(highWater), String(batch.lastOffset), ...args]);
    if (ok !== 1) {
      // A claim lost to another consumer's segment: forget what was known, read it afresh.
      if (ok === 2) this.knownSegments.delete(partitionId);
      return null;
    }
    return {
      applied: verdict.counted.length,
      skipped: batch.events.length - fresh,
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
