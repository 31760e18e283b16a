import { validateIdentitySource } from './authorizer-policy.ts';
import { validateCors } from './cors.ts';
import { RouteTable } from './route-table.ts';
import type { GatewayOptions, HttpRoute } from './types.ts';
import { validateRouteSelectionExpression } from './websocket-events.ts';

export const MiB = 1024 * 1024;

export interface ResolvedGatewayOptions {
  readonly host: string;
  readonly httpPort: number;
  readonly wsPort: number;
  readonly routes: RouteTable<HttpRoute>;
  readonly bodyLimitBytes: number;
  readonly messageLimitBytes: number;
  readonly integrationTimeoutMs: number;
  readonly httpStage: string;
  readonly webSocketStage: string;
  readonly log: (line: string) => void;
}

function port(value: number | undefined, field: string): number {
  const p = value ?? 0;
  if (!Number.isInteger(p) || p < 0 || p > 65535)
    throw new Error(`${field}: must be an integer from 0 to 65535, got ${p}`);
  return p;
}

function positiveInt(value: number | undefined, fallback: number, field: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${field}: must be a positive integer, got ${n}`);
  return n;
}

function stageName(value: string, field: string, allowDefault: boolean): string {
  if ((allowDefault && value === '$default') || /^[A-Za-z0-9_-]{1,128}$/.test(value)) return value;
  throw new Error(
    `${field}: "${value}" must be letters, digits, "-" or "_"${allowDefault ? ', or $default' : ''}`,
  );
}

/** Checks every option once at start, so a typo fails loudly with the field's name. */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  const routes = new RouteTable<HttpRoute>();
  for (const [i, route] of (options.httpRoutes ?? []).entries()) {
    if (typeof route.functionName !== 'string' || route.functionName === '') {
      throw new Error(`httpRoutes[${i}].functionName: must be a non-empty string`);
    }
    if (typeof route.handler !== 'function') throw new Error(`httpRoutes[${i}].handler: must be a function`);
    routes.add(route.routeKey, route, `httpRoutes[${i}].routeKey`);
  }
  const ws = options.webSocket;
  if (ws) {
    for (const [key, target] of Object.entries(ws.routes)) {
      const handler = typeof target === 'function' ? target : target?.handler;
      if (typeof handler !== 'function')
        throw new Error(`webSocket.routes["${key}"]: must be a handler or { functionName, handler }`);
    }
    validateRouteSelectionExpression(ws.routeSelectionExpression ?? '$request.body.action');
    if (ws.authorizer && typeof ws.authorizer !== 'function') {
      if (typeof ws.authorizer.handler !== 'function')
        throw new Error(
          'webSocket.authorizer: must be a handler or { handler, functionName?, identitySource? }',
        );
      validateIdentitySource(ws.authorizer.identitySource ?? []);
    }
  }
  if (options.cors) validateCors(options.cors);
  return {
    host: options.host ?? '127.0.0.1',
    httpPort: port(options.httpPort, 'httpPort'),
    wsPort: port(options.wsPort, 'wsPort'),
    routes,
    bodyLimitBytes: positiveInt(options.bodyLimitBytes, 10 * MiB, 'bodyLimitBytes'),
    messageLimitBytes: positiveInt(options.messageLimitBytes, 128 * 1024, 'messageLimitBytes'),
    integrationTimeoutMs: positiveInt(options.integrationTimeoutMs, 30_000, 'integrationTimeoutMs'),
    httpStage: stageName(options.stage?.http ?? '$default', 'stage.http', true),
    webSocketStage: stageName(options.stage?.webSocket ?? 'local', 'stage.webSocket', false),
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
  };
}
