import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { corsHeaders, preflightHeaders } from './cors.ts';
import { healthResponse } from './health.ts';
import { buildHttpEvent, type HttpRequestFacts, splitUrl } from './http-event.ts';
import {
  type GatewayResponse,
  InvalidIntegrationResponse,
  jsonResponse,
  mapHttpResult,
} from './http-response.ts';
import { newRequestId, newTraceId } from './identifiers.ts';
import { describeError, invokeHandler } from './invoke.ts';
import { readBody } from './request-body.ts';
import type { RouteTable } from './route-table.ts';
import { serveStatic } from './static-site.ts';
import type { CorsOptions, HealthReport, HttpRoute } from './types.ts';

export interface HttpApiConfig {
  readonly routes: RouteTable<HttpRoute>;
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly bodyLimitBytes: number;
  readonly integrationTimeoutMs: number;
  readonly staticDir: string | undefined;
  readonly staticHeaders: Readonly<Record<string, string>>;
  readonly health: (() => Promise<HealthReport> | HealthReport) | undefined;
  readonly cors: CorsOptions | undefined;
  readonly log: (line: string) => void;
}

const NOT_FOUND = () => jsonResponse(404, { message: 'Not Found' });

function clientAddress(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/** The request path without the stage prefix, or undefined when a named stage is missing from it. */
function routedPath(rawPath: string, stage: string): string | undefined {
  if (stage === '$default') return rawPath;
  const prefix = `/${stage}`;
  if (rawPath === prefix) return '/';
  return rawPath.startsWith(`${prefix}/`) ? rawPath.slice(prefix.length) : undefined;
}

/** The HTTP API: one request in, one payload 2.0 invocation (or static file, or gateway error) out. */
export function createHttpApi(
  config: HttpApiConfig,
): (request: IncomingMessage, response: ServerResponse) => void {
  async function invoke(route: HttpRoute, event: APIGatewayProxyEventV2): Promise<GatewayResponse> {
    const outcome = await invokeHandler(
      route.handler,
      event,
      route.functionName,
      config.integrationTimeoutMs,
    );
    const logFailure = (message: string, error?: unknown) =>
      config.log(
        JSON.stringify({
          level: 'ERROR',
          message,
          functionName: route.functionName,
          routeKey: event.routeKey,
          requestId: event.requestContext.requestId,
          ...(error !== undefined ? { error: describeError(error) } : {}),
        }),
      );
    if (outcome.kind === 'timeout') {
      logFailure(`integration timed out after ${config.integrationTimeoutMs} ms`);
      return jsonResponse(503, { message: 'Service Unavailable' });
    }
    if (outcome.kind === 'error') {
      logFailure('handler threw', outcome.error);
      return jsonResponse(500, { message: 'Internal Server Error' });
    }
    try {
      return mapHttpResult(outcome.result);
    } catch (err) {
      if (!(err instanceof InvalidIntegrationResponse)) throw err;
      logFailure(`malformed integration response: ${err.message}`);
      return jsonResponse(500, { message: 'Internal Server Error' });
    }
  }

  async function respond(
    request: IncomingMessage,
    facts: Omit<HttpRequestFacts, 'body'>,
  ): Promise<GatewayResponse> {
    const method = facts.method;
    const { rawPath } = splitUrl(facts.url);
    const path = routedPath(rawPath, config.stage);
    if (path === undefined) return NOT_FOUND();

    const origin = request.headers.origin;
    if (config.cors && method === 'OPTIONS' && request.headers['access-control-request-method']) {
      const headers = preflightHeaders(config.cors, origin);
      request.resume();
      return { statusCode: 204, headers: headers ?? {}, body: Buffer.alloc(0) };
    }
    if ((method === 'GET' || method === 'HEAD') && path === '/health') {
      request.resume();
      return healthResponse(config.health);
    }

    const read = await readBody(request, config.bodyLimitBytes);
    if (read.kind === 'too-large') return jsonResponse(413, { message: 'Request Entity Too Large' });
    const withBody: HttpRequestFacts = { ...facts, body: read.body };

    const matched = config.routes.match(method, path);
    if (matched) return invoke(matched.target, buildHttpEvent(withBody, config, matched));
    if (config.staticDir !== undefined && (method === 'GET' || method === 'HEAD')) {
      const file = await serveStatic(config.staticDir, path);
      if (file) return { ...file, headers: { ...file.headers, ...config.staticHeaders } };
    }
    const fallback = config.routes.matchDefault();
    if (fallback) return invoke(fallback.target, buildHttpEvent(withBody, config, fallback));
    return NOT_FOUND();
  }

  return (request, response) => {
    const timeEpoch = Date.now();
    const started = performance.now();
    const facts = {
      method: (request.method ?? 'GET').toUpperCase(),
      url: request.url ?? '/',
      headers: request.headers,
      sourceIp: clientAddress(request),
      sourcePort: request.socket.remotePort ?? 0,
      httpVersion: request.httpVersion,
      requestId: newRequestId(),
      traceId: newTraceId(timeEpoch),
      timeEpoch,
    };
    respond(request, facts)
      .catch((err: unknown) => {
        config.log(
          JSON.stringify({
            level: 'ERROR',
            message: 'gateway failure',
            requestId: facts.requestId,
            error: describeError(err),
          }),
        );
        return jsonResponse(500, { message: 'Internal Server Error' });
      })
      .then((result) => {
        if (response.destroyed) return;
        response.writeHead(result.statusCode, {
          ...result.headers,
          ...corsHeaders(config.cors, request.headers.origin),
          'apigw-requestid': facts.requestId,
          // The browser's devtools and resource timing show it: time in the gateway and the
          // function, apart from the network and the browser's own queues.
          'server-timing': `gateway;dur=${(performance.now() - started).toFixed(1)}`,
          'content-length': String(result.body.length),
        });
        response.end(facts.method === 'HEAD' ? undefined : result.body);
      });
  };
}
