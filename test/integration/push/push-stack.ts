import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { signDashboardToken } from '../../../core/auth/dashboard-token.ts';
import { Broadcaster } from '../../../io/push/broadcaster.ts';
import { FanOut } from '../../../io/push/fan-out.ts';
import { authorize } from '../../../lambdas/connect/authorizer.ts';
import { connectionRoute } from '../../../lambdas/connect/handler.ts';
import { createPushContext, type PushContext } from '../../../lambdas/connect/push-context.ts';
import { channelRoute } from '../../../lambdas/subscribe/handler.ts';
import { startGateway } from '../../../local/gateway/index.ts';
import type { RunningGateway, WebSocketOptions } from '../../../local/gateway/types.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';

export const SECRET = 'push-test-secret';
export const PROJECT = 'pushdemo';

export const tokenFor = (project = PROJECT, expInS = 3600, secret = SECRET) =>
  signDashboardToken({ project, exp: Math.floor(Date.now() / 1000) + expInS }, secret);

export interface PushStack {
  readonly redis: TestRedis;
  readonly gateway: RunningGateway;
  readonly context: PushContext;
  readonly broadcaster: Broadcaster;
  readonly fanOut: FanOut;
  /** Connection ids in the order $connect saw them. */
  readonly connected: string[];
  stop(): Promise<void>;
}

/** The WebSocket functions wired into the gateway exactly as spate local does. */
export function webSocketOptions(context: PushContext, connected: string[]): WebSocketOptions {
  return {
    authorizer: {
      handler: async (event: APIGatewayRequestAuthorizerEvent) => authorize(event, SECRET),
      identitySource: ['route.request.querystring.token'],
    },
    routes: {
      $connect: async (event) => {
        const result = await connectionRoute(event, context.registry);
        connected.push(event.requestContext.connectionId);
        return result;
      },
      $disconnect: (event) => connectionRoute(event, context.registry),
      subscribe: (event) => channelRoute(event, context.registry, context.ledger),
      unsubscribe: (event) => channelRoute(event, context.registry, context.ledger),
    },
  };
}

/** redis-server, the local gateway with the push routes, and a broadcaster, on free ports. */
export async function startPushStack(intervalMs = 500): Promise<PushStack> {
  const redis = await startTestRedis();
  const context = createPushContext({
    redis: { url: redis.url },
    managementUrl: undefined,
    region: 'us-east-1',
    fanOutConcurrency: 64,
    pushIntervalMs: intervalMs,
    unwatchedRefreshMs: 0,
    redisTimeoutMs: 2000,
    catchUpMs: 1000,
  });
  const connected: string[] = [];
  const gateway = await startGateway({
    webSocket: webSocketOptions(context, connected),
    log: () => undefined,
  });
  const fanOut = new FanOut({
    endpoint: gateway.managementEndpoint,
    region: 'us-east-1',
    concurrency: 64,
    onGone: (id) => context.registry.remove(id),
  });
  const broadcaster = new Broadcaster({
    redis: context.redis,
    registry: context.registry,
    ledger: context.ledger,
    fanOut,
    funnels: parseFunnelCatalog(undefined),
    intervalMs,
  });
  return {
    redis,
    gateway,
    context,
    broadcaster,
    fanOut,
    connected,
    async stop() {
      await gateway.close();
      fanOut.destroy();
      context.redis.disconnect();
      await redis.stop();
    },
  };
}
