import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

/**
 * A Lua script called by its SHA: the body travels only when the server does not know it yet
 * (first use, or after a restart or SCRIPT FLUSH), not with every call.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly body: string) {
    this.sha = createHash('sha1').update(body).digest('hex');
  }

  async run<T>(redis: Redis, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<T> {
    try {
      return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as T;
    } catch (err) {
      if (!isNoScript(err)) throw err;
    }
    await this.load(redis);
    return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as T;
  }

  /** Queues the call on a pipeline; a NOSCRIPT reply (see isNoScript) means load() and retry. */
  queue(pipeline: ChainableCommander, keys: readonly string[], args: readonly (string | Buffer)[]): void {
    pipeline.evalsha(this.sha, keys.length, ...keys, ...args);
  }

  async load(redis: Redis): Promise<void> {
    await redis.script('LOAD', this.body);
  }
}

export const isNoScript = (err: unknown): boolean => String((err as Error)?.message).includes('NOSCRIPT');
