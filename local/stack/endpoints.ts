import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signDashboardToken } from '../../core/auth/dashboard-token.ts';
import { LOCAL_BUCKETS } from '../s3/buckets.ts';
import type { LocalSecrets } from './secrets.ts';
import type { LocalSettings } from './settings.ts';

/** What `.local/endpoints.json` tells an app, a test or `spate load` about the running stack. */
export interface LocalEndpoints {
  readonly http: string;
  readonly ws: string;
  readonly websocketManagement: string;
  readonly dashboard: string;
  readonly health: string;
  readonly kafka: string;
  readonly redis: string;
  readonly clickhouse: string;
  readonly s3: { readonly endpoint: string; readonly region: string; readonly buckets: typeof LOCAL_BUCKETS };
  readonly project: string;
  readonly writeKey: string;
  readonly dashboardToken: string;
}

const TOKEN_LIFETIME_S = 30 * 24 * 3600;

export function describeEndpoints(
  settings: LocalSettings,
  secrets: LocalSecrets,
  nowMs = Date.now(),
): LocalEndpoints {
  const host = '127.0.0.1';
  // The gateway's WebSocket stage is 'local' (local/gateway/options.ts); its HTTP API stage is $default.
  const gateway = {
    httpUrl: `http://${host}:${settings.ports.gateway}`,
    wsUrl: `ws://${host}:${settings.ports.websocket}/local`,
    managementEndpoint: `http://${host}:${settings.ports.websocket}/local`,
  };
  const dashboardToken = signDashboardToken(
    { project: settings.project, exp: Math.floor(nowMs / 1000) + TOKEN_LIFETIME_S },
    secrets.tokenSecret,
  );
  return {
    http: gateway.httpUrl,
    ws: gateway.wsUrl,
    websocketManagement: gateway.managementEndpoint,
    dashboard: `${gateway.httpUrl}/?token=${encodeURIComponent(dashboardToken)}`,
    health: `${gateway.httpUrl}/health`,
    kafka: `${host}:${settings.ports.kafka}`,
    redis: `redis://${host}:${settings.ports.redis}`,
    clickhouse: `http://${host}:${settings.ports.clickhouse}`,
    s3: { endpoint: `http://${host}:${settings.ports.s3}`, region: 'us-east-1', buckets: LOCAL_BUCKETS },
    project: settings.project,
    writeKey: secrets.writeKey,
    dashboardToken,
  };
}

export function writeEndpoints(dataDir: string, endpoints: LocalEndpoints): string {
  const file = join(dataDir, 'endpoints.json');
  writeFileSync(file, `${JSON.stringify(endpoints, null, 2)}\n`);
  return file;
}

export function banner(endpoints: LocalEndpoints, file: string, startedInMs: number, demo: boolean): string {
  return [
    '',
    `Spate is running (ready in ${(startedInMs / 1000).toFixed(1)} s)`,
    `  dashboard   ${endpoints.dashboard}`,
    `  events API  ${endpoints.http}/v1/events   write key: ${endpoints.writeKey}`,
    `  websocket   ${endpoints.ws}`,
    `  health      ${endpoints.health}`,
    `  kafka ${endpoints.kafka}   redis ${endpoints.redis}   clickhouse ${endpoints.clickhouse}   s3 ${endpoints.s3.endpoint}`,
    `  all of it:  ${file}`,
    demo
      ? 'Demo traffic is flowing (20 events/s, 2 tweets/s); start with --no-demo to send only your own.'
      : 'No demo traffic (--no-demo): send events with `npx spate load` or your app.',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
