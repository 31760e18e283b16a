import type { Redis } from 'ioredis';
import type { GateReply } from '../../core/push/push-throttle.ts';
import { LAST_SNAPSHOT_TTL_SECONDS, pushKeys } from './push-keys.ts';

export type Recorded =
  | { readonly changed: false }
  | { readonly changed: true; readonly seq: number; readonly previous: string | undefined };

// Compares and stores the body and bumps the sequence in one step, so two functions pushing
// the same channel never hand out the same seq or diff against a body the other replaced.
// `at` moves on even when the body is unchanged: it says when the body was last known current,
// which is what lets the query API serve it as a fresh snapshot.
const RECORD = `
local prev = redis.call('HGET', KEYS[1], 'body')
if prev == ARGV[1] then
  redis.call('HSET', KEYS[1], 'at', ARGV[2])
  return {0}
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'body', ARGV[1], 'at', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if prev then return {seq, prev} end
return {seq}
`;

/**
 * Per-channel push state shared by every broadcaster instance: the gate that coalesces pushes
 * to one per interval, and the last snapshot with its sequence number.
 */
export class ChannelLedger {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
    redis.defineCommand('spatePushRecord', { numberOfKeys: 1, lua: RECORD });
  }

  async claim(project: string, channel: string, intervalMs: number): Promise<GateReply> {
    const key = pushKeys.gate(project, channel);
    const [[, set] = [], [, ttl] = []] =
      (await this.#redis.multi().set(key, '1', 'PX', intervalMs, 'NX').pttl(key).exec()) ?? [];
    if (set === 'OK') return { claimed: true };
    return { claimed: false, reopensInMs: Math.max(0, Number(ttl)) };
  }

  /**
   * The channels this caller records this period: each goes to one caller per period, so a
   * broadcast of some channels (the tweet ones, say) never holds back the others.
   */
  async claimRefresh(project: string, channels: readonly string[], periodMs: number): Promise<string[]> {
    if (channels.length === 0) return [];
    const pipeline = this.#redis.pipeline();
    for (const channel of channels)
      pipeline.set(pushKeys.refresh(project, channel), '1', 'PX', periodMs, 'NX');
    const replies = (await pipeline.exec()) ?? [];
    return channels.filter((_, i) => replies[i]?.[1] === 'OK');
  }

  async record(project: string, channel: string, body: string, atMs: number): Promise<Recorded> {
    const reply = (await (
      this.#redis as unknown as {
        spatePushRecord(key: string, body: string, at: number, ttl: number): Promise<[number, string?]>;
      }
    ).spatePushRecord(pushKeys.last(project, channel), body, atMs, LAST_SNAPSHOT_TTL_SECONDS)) as [
      number,
      string?,
    ];
    if (reply[0] === 0) return { changed: false };
    return { changed: true, seq: reply[0], previous: reply[1] };
  }

  /** The last snapshot pushed on each channel, for a client that (re)subscribes. */
  async lastSnapshots(
    project: string,
    channels: readonly string[],
  ): Promise<Array<{ channel: string; seq: number; at: number; body: string }>> {
    const pipeline = this.#redis.pipeline();
    for (const channel of channels) pipeline.hmget(pushKeys.last(project, channel), 'seq', 'at', 'body');
    const replies = (await pipeline.exec()) ?? [];
    const out: Array<{ channel: string; seq: number; at: number; body: string }> = [];
    channels.forEach((channel, i) => {
      const [err, value] = replies[i] ?? [];
      if (err) throw err;
      const [seq, at, body] = (value ?? []) as Array<string | null>;
      if (seq && body) out.push({ channel, seq: Number(seq), at: Number(at), body });
    });
    return out;
  }
}
