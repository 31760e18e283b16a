import { KEY_ROOT } from '../../core/aggregation/redis-keys.ts';

/**
 * Redis keys of the push side, next to the hot tier's (core/aggregation/redis-keys.ts) in the
 * same store. Connection keys carry no project: a connection id is unique per API.
 *
 * | key                         | type   | holds                                         | expires            |
 * |-----------------------------|--------|-----------------------------------------------|--------------------|
 * | {sp}:push:conn:{id}           | hash   | project, connectedAt                          | connection lifetime|
 * | {sp}:push:subs:{id}           | set    | channels the connection subscribed to         | connection lifetime|
 * | {sp}:{p}:push:ch:{channel}    | set    | connection ids subscribed to the channel      | connection lifetime|
 * | {sp}:{p}:push:gate:{channel}  | string | held for one push interval by the pusher      | the interval       |
 * | {sp}:{p}:push:last:{channel}  | hash   | seq and body of the last frame's snapshot     | a day              |
 * | {sp}:{p}:push:refresh:{ch}    | string | held by whoever records the unwatched channel | the refresh period |
 */
export const pushKeys = {
  connection: (id: string) => `${KEY_ROOT}:push:conn:${id}`,
  subscriptions: (id: string) => `${KEY_ROOT}:push:subs:${id}`,
  channel: (project: string, channel: string) => `${KEY_ROOT}:${project}:push:ch:${channel}`,
  gate: (project: string, channel: string) => `${KEY_ROOT}:${project}:push:gate:${channel}`,
  last: (project: string, channel: string) => `${KEY_ROOT}:${project}:push:last:${channel}`,
  refresh: (project: string, channel: string) => `${KEY_ROOT}:${project}:push:refresh:${channel}`,
} as const;

/** API Gateway closes a WebSocket after two hours whatever happens; registry entries go with it. */
export const CONNECTION_TTL_SECONDS = 2 * 3600 + 300;
export const LAST_SNAPSHOT_TTL_SECONDS = 24 * 3600;
