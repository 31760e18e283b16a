import type { Redis } from 'ioredis';
import type { Aggregation } from '../../core/aggregation/aggregation.ts';
import type { PositionedEvent } from '../../core/aggregation/msk-batch.ts';
import { parseHighWater, unappliedEvents } from '../../core/aggregation/offset-gate.ts';
import { redisKeys } from '../../core/aggregation/redis-keys.ts';
import { encodePlan, RedisPlan } from '../../core/aggregation/redis-plan.ts';
import { APPLY_PLAN_LUA } from './apply-script.ts';

export interface GateOutcome {
  readonly applied: number;
  /** Records at or below the stored high-water: already applied by an earlier delivery. */
  readonly skipped: number;
  readonly highWater: number;
  /** Network round trips to Redis for this batch (constant, whatever its size). */
  readonly roundTrips: number;
}

type ApplyReply = [number, string];

export class GateMovedError extends Error {
  override readonly name = 'GateMovedError';
}

/**
 * The hot tier's exactly-once step for one aggregator and one topic-partition batch: read the
 * high-water and the state the plan needs in one pipelined round trip, plan in memory, then
 * apply the whole plan with the new high-water in one script call that checks the gate first.
 */
/** What the gate needs of a decoded topic-partition batch. */
export interface GatedBatch<E> {
  readonly topic: string;
  readonly partition: number;
  readonly lastOffset: number;
  readonly events: readonly E[];
}

export class OffsetGate<E extends { readonly offset: number } = PositionedEvent> {
  private scriptSha: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly aggregation: Aggregation<E>,
  ) {}

  async apply(batch: GatedBatch<E>, nowMs: number = Date.now()): Promise<GateOutcome> {
    // One retry covers a concurrent invocation that moved the gate between read and apply.
    for (let attempt = 0; attempt < 2; attempt++) {
      const outcome = await this.tryApply(batch, nowMs);
      if (outcome) return outcome;
    }
    throw new GateMovedError(
      `gate ${this.aggregation.consumer} ${batch.topic}-${batch.partition}: high-water moved twice while applying`,
    );
  }

  private async tryApply(batch: GatedBatch<E>, nowMs: number): Promise<GateOutcome | null> {
    const gateKey = redisKeys.gate(this.aggregation.consumer, batch.topic, batch.partition);
    const read = this.redis.pipeline().get(gateKey);
    const stateKeys = this.aggregation.stateKeys(batch.events);
    if (stateKeys.length > 0) read.mget(...stateKeys);
    const replies = (await read.exec()) ?? [];
    for (const [err] of replies) if (err) throw err;
    const highWater = parseHighWater(replies[0]?.[1] as string | null);
    if (batch.lastOffset <= highWater) {
      return { applied: 0, skipped: batch.events.length, highWater, roundTrips: 1 };
    }
    const values = (stateKeys.length > 0 ? replies[1]?.[1] : []) as (string | null)[];
    const state = new Map(stateKeys.map((k, i) => [k, values[i] ?? null]));
    const fresh = unappliedEvents(batch.events, highWater);
    const plan = new RedisPlan();
    this.aggregation.plan(fresh, state, plan, nowMs);
    const args = [String(highWater), String(batch.lastOffset), ...encodePlan(plan)];
    const [ok, current] = await this.runScript(gateKey, args);
    if (ok !== 1) return null;
    return {
      applied: fresh.length,
      skipped: batch.events.length - fresh.length,
      highWater: Number(current),
      roundTrips: 2,
    };
  }

  /** EVALSHA first; the script body travels only when the server does not know it yet. */
  private async runScript(gateKey: string, args: string[]): Promise<ApplyReply> {
    if (this.scriptSha) {
      try {
        return (await this.redis.evalsha(this.scriptSha, 1, gateKey, ...args)) as ApplyReply;
      } catch (err) {
        if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      }
    }
    this.scriptSha = (await this.redis.script('LOAD', APPLY_PLAN_LUA)) as string;
    return (await this.redis.evalsha(this.scriptSha, 1, gateKey, ...args)) as ApplyReply;
  }
}
