/**
 * The local gateway with the real WebSocket functions ($connect authorizer, $connect /
 * $disconnect, subscribe), as `spate local` hosts them, in a process of its own.
 * Environment: SPATE_REDIS_URL, SPATE_DASHBOARD_TOKEN_SECRET (read by the functions).
 * Prints {"event":"ready","port":…,"wsUrl":…,"managementEndpoint":…}.
 */
import { startGateway } from '../../local/gateway/index.ts';
import { announceReady, onShutdown } from '../../local/process-lifecycle.ts';
import { loadWebSocketOptions } from '../../local/stack/functions.ts';

const gateway = await startGateway({ webSocket: await loadWebSocketOptions(), log: () => undefined });
onShutdown(() => gateway.close());
announceReady({
  port: Number(new URL(gateway.wsUrl).port),
  wsUrl: gateway.wsUrl,
  managementEndpoint: gateway.managementEndpoint,
});
