import type { Redis } from 'ioredis';
import { CONNECTION_TTL_SECONDS, pushKeys } from './push-keys.ts';

/**
 * Which dashboard connection listens to which channel, both ways, in Redis so every function
 * instance sees the same picture. Everything expires with API Gateway's connection lifetime,
 * so a $disconnect that never ran leaves nothing behind for long.
 */
export class ConnectionRegistry {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async register(connectionId: string, project: string, nowMs = Date.now()): Promise<void> {
    await this.#redis
      .multi()
      .hset(pushKeys.connection(connectionId), { project, connectedAt: String(nowMs) })
      .expire(pushKeys.connection(connectionId), CONNECTION_TTL_SECONDS)
      .exec();
  }

  async projectOf(connectionId: string): Promise<string | undefined> {
    return (await this.#redis.hget(pushKeys.connection(connectionId), 'project')) ?? undefined;
  }

  async subscribe(connectionId: string, project: string, channels: readonly string[]): Promise<void> {
    const tx = this.#redis.multi();
    tx.sadd(pushKeys.subscriptions(connectionId), ...channels);
    tx.expire(pushKeys.subscriptions(connectionId), CONNECTION_TTL_SECONDS);
    for (const channel of channels) {
      tx.sadd(pushKeys.channel(project, channel), connectionId);
      tx.expire(pushKeys.channel(project, channel), CONNECTION_TTL_SECONDS);
    }
    await tx.exec();
  }

  async unsubscribe(connectionId: string, project: string, channels: readonly string[]): Promise<void> {
    const tx = this.#redis.multi();
    tx.srem(pushKeys.subscriptions(connectionId), ...channels);
    for (const channel of channels) tx.srem(pushKeys.channel(project, channel), connectionId);
    await tx.exec();
  }

  async channelsOf(connectionId: string): Promise<string[]> {
    return this.#redis.smembers(pushKeys.subscriptions(connectionId));
  }

  async subscribers(project: string, channel: string): Promise<string[]> {
    return this.#redis.smembers(pushKeys.channel(project, channel));
  }

  /** Forgets a connection everywhere; safe to call twice (a GoneException and $disconnect may race). */
  async remove(connectionId: string): Promise<void> {
    const [project, channels] = await Promise.all([
      this.projectOf(connectionId),
      this.channelsOf(connectionId),
    ]);
    const tx = this.#redis.multi();
    if (project !== undefined)
      for (const channel of channels) tx.srem(pushKeys.channel(project, channel), connectionId);
    tx.del(pushKeys.connection(connectionId), pushKeys.subscriptions(connectionId));
    await tx.exec();
  }
}
