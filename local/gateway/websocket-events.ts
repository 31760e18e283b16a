import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { formatRequestTime, newRequestId } from './identifiers.ts';
import type { WebSocketRouteEvent } from './types.ts';

/** What the gateway knows about a WebSocket connection when it builds an event for it. */
export interface ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly domainName: string;
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

export interface WebSocketApiFacts {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
}

/** The upgrade request's headers and query, shaped as in REST-style (v1) events: original case, last value wins. */
export interface HandshakeFacts {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters?: Record<string, string>;
  readonly multiValueQueryStringParameters?: Record<string, string[]>;
}

export function handshakeFacts(rawHeaders: readonly string[], rawQueryString: string): HandshakeFacts {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const params = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [key, value] of params) {
    queryStringParameters[key] = value;
    multiValueQueryStringParameters[key] = [...(multiValueQueryStringParameters[key] ?? []), value];
  }
  const hasQuery = Object.keys(queryStringParameters).length > 0;
  return {
    headers,
    multiValueHeaders,
    ...(hasQuery ? { queryStringParameters, multiValueQueryStringParameters } : {}),
  };
}

type EventType = 'CONNECT' | 'MESSAGE' | 'DISCONNECT';

function requestContext(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  routeKey: string,
  eventType: EventType,
  nowMs: number,
  messageId: string,
) {
  const requestId = newRequestId();
  return {
    routeKey,
    messageId,
    eventType,
    extendedRequestId: requestId,
    requestTime: formatRequestTime(nowMs),
    messageDirection: 'IN' as const,
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: nowMs,
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    requestId,
    domainName: connection.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
    ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
  };
}

export function connectEvent(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  handshake: HandshakeFacts,
  nowMs: number,
): WebSocketRouteEvent {
  return {
    ...handshake,
    // API Gateway sends no messageId for $connect; the type insists on a string.
    requestContext: requestContext(
      api,
      connection,
      '$connect',
      'CONNECT',
      nowMs,
      undefined as unknown as string,
    ),
    isBase64Encoded: false,
  };
}

export function messageEvent(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  routeKey: string,
  data: Buffer,
  isBinary: boolean,
  messageId: string,
  nowMs: number,
): WebSocketRouteEvent {
  return {
    requestContext: requestContext(api, connection, routeKey, 'MESSAGE', nowMs, messageId),
    body: isBinary ? data.toString('base64') : data.toString('utf8'),
    isBase64Encoded: isBinary,
  };
}

export function disconnectEvent(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  handshake: HandshakeFacts,
  statusCode: number,
  reason: string,
  nowMs: number,
): WebSocketRouteEvent {
  const base = requestContext(
    api,
    connection,
    '$disconnect',
    'DISCONNECT',
    nowMs,
    undefined as unknown as string,
  );
  return {
    headers: handshake.headers,
    multiValueHeaders: handshake.multiValueHeaders,
    requestContext: { ...base, disconnectStatusCode: statusCode, disconnectReason: reason },
    isBase64Encoded: false,
  };
}

/** The REQUEST authorizer event API Gateway sends for a WebSocket `$connect`. */
export function authorizerEvent(
  api: WebSocketApiFacts,
  connection: ConnectionFacts,
  handshake: HandshakeFacts,
  nowMs: number,
): APIGatewayRequestAuthorizerEvent {
  const context = requestContext(
    api,
    connection,
    '$connect',
    'CONNECT',
    nowMs,
    undefined as unknown as string,
  );
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:local:${api.accountId}:${api.apiId}/${api.stage}/$connect`,
    resource: '$connect',
    path: `/${api.stage}`,
    httpMethod: 'GET',
    headers: handshake.headers,
    multiValueHeaders: handshake.multiValueHeaders,
    pathParameters: null,
    queryStringParameters: handshake.queryStringParameters ?? null,
    multiValueQueryStringParameters: handshake.multiValueQueryStringParameters ?? null,
    stageVariables: null,
    // The WebSocket variant of the context; the REST-only fields are not sent by API Gateway either.
    requestContext: {
      ...context,
      accountId: api.accountId,
    } as unknown as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

/**
 * Evaluates `$request.body.<path>`: the route key is that field of the JSON message when it is a
 * string naming a configured route, otherwise `$default`.
 */
export function selectRoute(expression: string, body: string, routeKeys: ReadonlySet<string>): string {
  const path = expression.replace(/^\$request\.body\./, '').split('.');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return '$default';
  }
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return '$default';
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' && routeKeys.has(value) && !value.startsWith('$') ? value : '$default';
}

export function validateRouteSelectionExpression(expression: string): void {
  if (!/^\$request\.body\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(expression)) {
    throw new Error(
      `webSocket.routeSelectionExpression: "${expression}" must have the form $request.body.<field>[.<field>...]`,
    );
  }
}
