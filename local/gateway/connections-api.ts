import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConnectionRegistry } from './connection-registry.ts';
import { readBody } from './request-body.ts';

/** `/@connections/{id}` with an optional stage prefix, as the SDK builds it from the endpoint. */
const CONNECTION_PATH = /^(?:\/[^/]+)?\/@connections\/([^/?]+)\/?(?:\?.*)?$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(data: Buffer): boolean {
  try {
    utf8.decode(data);
    return true;
  } catch {
    return false;
  }
}

/** Errors carry the type header the AWS SDK's REST-JSON protocol maps to its exception classes. */
function sendError(response: ServerResponse, statusCode: number, type: string, message: string | null): void {
  const body = JSON.stringify({ __type: type, message });
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

export function isConnectionsRequest(url: string): boolean {
  return CONNECTION_PATH.test(url);
}

/** The management API: PostToConnection, GetConnection and DeleteConnection. */
export async function handleConnectionsRequest(
  request: IncomingMessage,
  response: ServerResponse,
  registry: ConnectionRegistry,
  messageLimitBytes: number,
): Promise<void> {
  const encodedId = CONNECTION_PATH.exec(request.url ?? '')?.[1];
  let connectionId: string | undefined;
  try {
    connectionId = encodedId === undefined ? undefined : decodeURIComponent(encodedId);
  } catch {
    connectionId = undefined;
  }
  if (connectionId === undefined) {
    request.resume();
    sendError(response, 403, 'ForbiddenException', 'Forbidden');
    return;
  }
  const method = request.method ?? 'GET';

  if (method === 'POST') {
    const read = await readBody(request, messageLimitBytes);
    if (read.kind === 'too-large') {
      sendError(
        response,
        413,
        'PayloadTooLargeException',
        `Message must not exceed ${messageLimitBytes} bytes`,
      );
      return;
    }
    const connection = registry.get(connectionId);
    if (!connection) {
      sendError(response, 410, 'GoneException', null);
      return;
    }
    // Text frames for text, so browser clients get strings as they do from API Gateway.
    connection.socket.send(read.body, { binary: !isUtf8(read.body) });
    connection.lastActiveAt = Date.now();
    response.writeHead(200, { 'content-length': 0 });
    response.end();
    return;
  }

  request.resume();
  const connection = registry.get(connectionId);
  if (!connection) {
    sendError(response, 410, 'GoneException', null);
    return;
  }
  if (method === 'GET') {
    const body = JSON.stringify({
      connectedAt: new Date(connection.facts.connectedAt).toISOString(),
      identity: { sourceIp: connection.facts.sourceIp, userAgent: connection.facts.userAgent },
      lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
    });
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  if (method === 'DELETE') {
    registry.remove(connectionId);
    connection.socket.close(1000, 'Connection closed by the server');
    response.writeHead(204);
    response.end();
    return;
  }
  sendError(response, 403, 'ForbiddenException', 'Forbidden');
}
