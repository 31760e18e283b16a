import type { Redis } from 'ioredis';
import { ChannelLedger } from '../../io/push/channel-ledger.ts';
import { ConnectionRegistry } from '../../io/push/connection-registry.ts';
import { loadPushConfig, type PushConfig } from '../../io/push/push-config.ts';
import { connectLiveRedis } from '../../io/push/redis-link.ts';
import { perContainer } from '../per-container.ts';

/** What the WebSocket route functions share per instance: config and one Redis connection. */
export interface PushContext {
  readonly config: PushConfig;
  readonly redis: Redis;
  readonly registry: ConnectionRegistry;
  readonly ledger: ChannelLedger;
}

export function createPushContext(config: PushConfig): PushContext {
  const redis = connectLiveRedis(config.redis.url, config.redisTimeoutMs);
  return {
    config,
    redis,
    registry: new ConnectionRegistry(redis),
    ledger: new ChannelLedger(redis),
  };
}

/** The instance's context, from the environment Lambda (or the local stack) gave it. */
export const pushContext = perContainer(async () => createPushContext(await loadPushConfig(process.env)));
