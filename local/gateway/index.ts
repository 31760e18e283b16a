import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { handleConnectionsRequest, isConnectionsRequest } from './connections-api.ts';
import { createHttpApi } from './http-api.ts';
import { resolveGatewayOptions } from './options.ts';
import type { GatewayOptions, RunningGateway } from './types.ts';
import { WebSocketApi } from './websocket-api.ts';

export type * from './types.ts';

/** Account id the local mirror reports everywhere (Lambda ARNs, events), same as the Lambda context. */
const ACCOUNT_ID = '000000000000';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Node answers unparsable requests and oversized headers by itself with an empty body; clients
 * of this API get a JSON error for those too, like every other refusal.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : err.code === 'HPE_HEADERS_TIMEOUT' || err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${message}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Host part of a URL: IPv6 literals need brackets. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the local API Gateway in this process: the HTTP API on one port, and the WebSocket API
 * with its @connections management API on another, as on AWS where they are separate APIs.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const resolved = resolveGatewayOptions(options);
  const httpServer = createServer(
    createHttpApi({
      routes: resolved.routes,
      accountId: ACCOUNT_ID,
      apiId: 'local-http',
      stage: resolved.httpStage,
      bodyLimitBytes: resolved.bodyLimitBytes,
      integrationTimeoutMs: resolved.integrationTimeoutMs,
      staticDir: options.staticDir,
      staticHeaders: options.staticHeaders ?? {},
      health: options.health,
      cors: options.cors,
      log: resolved.log,
    }),
  );
  httpServer.on('clientError', answerClientError);
  const webSocketApi = new WebSocketApi({
    accountId: ACCOUNT_ID,
    apiId: 'local-ws',
    stage: resolved.webSocketStage,
    options: options.webSocket ?? { routes: {} },
    messageLimitBytes: resolved.messageLimitBytes,
    integrationTimeoutMs: resolved.integrationTimeoutMs,
    log: resolved.log,
  });
  const wsServer = createServer((request, response) => {
    if (!isConnectionsRequest(request.url ?? '')) {
      request.resume();
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    handleConnectionsRequest(request, response, webSocketApi.registry, resolved.messageLimitBytes).catch(
      (err: unknown) => {
        resolved.log(
          JSON.stringify({ level: 'ERROR', message: '@connections request failed', error: String(err) }),
        );
        if (!response.headersSent) response.writeHead(500);
        response.end();
      },
    );
  });
  wsServer.on('upgrade', (request, socket, head) => webSocketApi.handleUpgrade(request, socket, head));

  const apis = options.apis ?? 'both';
  try {
    const httpPort =
      apis === 'websocket' ? undefined : await listen(httpServer, resolved.httpPort, resolved.host);
    const wsPort = apis === 'http' ? undefined : await listen(wsServer, resolved.wsPort, resolved.host);
    const host = urlHost(resolved.host);
    const httpStagePath = resolved.httpStage === '$default' ? '' : `/${resolved.httpStage}`;
    let closing: Promise<void> | undefined;
    return {
      httpUrl: httpPort === undefined ? '' : `http://${host}:${httpPort}${httpStagePath}`,
      wsUrl: wsPort === undefined ? '' : `ws://${host}:${wsPort}/${resolved.webSocketStage}`,
      managementEndpoint: wsPort === undefined ? '' : `http://${host}:${wsPort}/${resolved.webSocketStage}`,
      close: () => {
        closing ??= (async () => {
          await webSocketApi.close();
          await Promise.all([closeServer(httpServer), closeServer(wsServer)]);
        })();
        return closing;
      },
    };
  } catch (err) {
    await Promise.all([closeServer(httpServer), closeServer(wsServer)]);
    throw err;
  }
}
