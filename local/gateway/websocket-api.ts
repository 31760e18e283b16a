import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { decisionForError, evaluateAuthorizerResult, identitySourcesPresent } from './authorizer-policy.ts';
import { ConnectionRegistry, type LiveConnection } from './connection-registry.ts';
import { newConnectionId, newMessageId } from './identifiers.ts';
import { describeError, invokeHandler } from './invoke.ts';
import type {
  WebSocketHandler,
  WebSocketOptions,
  WebSocketRouteEvent,
  WebSocketRouteTarget,
} from './types.ts';
import {
  authorizerEvent,
  type ConnectionFacts,
  connectEvent,
  disconnectEvent,
  type HandshakeFacts,
  handshakeFacts,
  messageEvent,
  selectRoute,
  type WebSocketApiFacts,
} from './websocket-events.ts';

export interface WebSocketApiConfig extends WebSocketApiFacts {
  readonly options: WebSocketOptions;
  readonly messageLimitBytes: number;
  readonly integrationTimeoutMs: number;
  readonly log: (line: string) => void;
}

interface NamedHandler {
  readonly functionName: string;
  readonly handler: WebSocketHandler;
}

function named(routeKey: string, target: WebSocketRouteTarget): NamedHandler {
  return typeof target === 'function'
    ? { functionName: `ws${routeKey.replace(/^\$/, '-')}`, handler: target }
    : target;
}

function rejectUpgrade(socket: Duplex, statusCode: number, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** A route's reply to the caller, present when the handler returned a body (two-way routes). */
function replyOf(result: unknown): { readonly data: Buffer; readonly binary: boolean } | undefined {
  if (typeof result === 'string') return { data: Buffer.from(result), binary: false };
  if (typeof result !== 'object' || result === null) return undefined;
  const { body, isBase64Encoded } = result as { body?: unknown; isBase64Encoded?: unknown };
  if (typeof body !== 'string') return undefined;
  return isBase64Encoded === true
    ? { data: Buffer.from(body, 'base64'), binary: true }
    : { data: Buffer.from(body), binary: false };
}

function statusOf(result: unknown): number {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const code = (result as { statusCode?: unknown }).statusCode;
    if (typeof code === 'number') return code;
  }
  return 200;
}

/**
 * The WebSocket API: authorizer and `$connect` run before the upgrade completes (so a refusal
 * is an HTTP status, as on AWS), messages are routed by the selection expression, and
 * `$disconnect` runs once the socket closes, after the connection's pending messages.
 */
export class WebSocketApi {
  readonly registry = new ConnectionRegistry();
  private readonly server: WebSocketServer;
  private readonly routes = new Map<string, NamedHandler>();
  private readonly expression: string;
  private readonly disconnects = new Set<Promise<void>>();
  /** The subprotocol a `$connect` handler accepted, for ws's protocol negotiation. */
  private readonly acceptedProtocol = new WeakMap<IncomingMessage, string>();

  constructor(private readonly config: WebSocketApiConfig) {
    for (const [routeKey, target] of Object.entries(config.options.routes))
      this.routes.set(routeKey, named(routeKey, target));
    this.expression = config.options.routeSelectionExpression ?? '$request.body.action';
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: config.messageLimitBytes,
      handleProtocols: (_protocols, request) => this.acceptedProtocol.get(request) ?? false,
    });
  }

  private logError(message: string, details: Record<string, unknown>): void {
    this.config.log(JSON.stringify({ level: 'ERROR', message, ...details }));
  }

  private async call(
    routeKey: string,
    event: WebSocketRouteEvent,
  ): Promise<{ ok: true; result: unknown } | { ok: false }> {
    const route = this.routes.get(routeKey);
    if (!route) return { ok: true, result: undefined };
    const outcome = await invokeHandler(
      route.handler,
      event,
      route.functionName,
      this.config.integrationTimeoutMs,
    );
    if (outcome.kind === 'ok') return { ok: true, result: outcome.result };
    this.logError(outcome.kind === 'timeout' ? 'integration timed out' : 'handler threw', {
      functionName: route.functionName,
      routeKey,
      connectionId: event.requestContext.connectionId,
      requestId: event.requestContext.requestId,
      ...(outcome.kind === 'error' ? { error: describeError(outcome.error) } : {}),
    });
    return { ok: false };
  }

  /** Accepts upgrades on `/{stage}` (and `/`, for clients that do not know the stage). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.upgrade(request, socket, head).catch((err: unknown) => {
      this.logError('upgrade failed', { error: describeError(err) });
      if (!socket.destroyed) rejectUpgrade(socket, 500, 'Internal Server Error');
    });
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = request.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path !== '/' && path !== `/${this.config.stage}` && path !== `/${this.config.stage}/`) {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    const handshake = handshakeFacts(request.rawHeaders, q === -1 ? '' : url.slice(q + 1));
    const now = Date.now();
    let facts: ConnectionFacts = {
      connectionId: newConnectionId(),
      connectedAt: now,
      sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: request.headers['user-agent'] ?? '',
      domainName: request.headers.host ?? '',
    };

    const admitted = await this.authorize(facts, handshake, now);
    if ('statusCode' in admitted) {
      rejectUpgrade(socket, admitted.statusCode, admitted.message);
      return;
    }
    facts = admitted;

    const connected = await this.call('$connect', connectEvent(this.config, facts, handshake, Date.now()));
    if (!connected.ok) {
      rejectUpgrade(socket, 500, 'Internal Server Error');
      return;
    }
    const status = statusOf(connected.result);
    if (status >= 400) {
      rejectUpgrade(socket, status, STATUS_CODES[status] ?? 'Rejected');
      return;
    }
    const headers = (connected.result as { headers?: Record<string, unknown> } | undefined)?.headers ?? {};
    const protocolHeader = Object.entries(headers).find(
      ([name]) => name.toLowerCase() === 'sec-websocket-protocol',
    );
    if (protocolHeader) this.acceptedProtocol.set(request, String(protocolHeader[1]));

    if (socket.destroyed) {
      // The caller left while $connect ran; API Gateway still reports the disconnect.
      this.trackDisconnect(
        this.call(
          '$disconnect',
          disconnectEvent(this.config, facts, handshake, 1006, 'Going away', Date.now()),
        ),
      );
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.register(ws, facts, handshake));
  }

  /** Runs the request authorizer, if any: the connection's facts with its context, or a refusal. */
  private async authorize(
    facts: ConnectionFacts,
    handshake: HandshakeFacts,
    now: number,
  ): Promise<ConnectionFacts | { readonly statusCode: number; readonly message: string }> {
    const configured = this.config.options.authorizer;
    const authorizer = typeof configured === 'function' ? { handler: configured } : configured;
    if (!authorizer) return facts;
    const sources = authorizer.identitySource ?? [];
    if (!identitySourcesPresent(sources, handshake.headers, handshake.queryStringParameters)) {
      return { statusCode: 401, message: 'Unauthorized' };
    }
    const event = authorizerEvent(this.config, facts, handshake, now);
    const started = Date.now();
    const functionName = authorizer.functionName ?? 'authorizer';
    const outcome = await invokeHandler(
      authorizer.handler,
      event,
      functionName,
      this.config.integrationTimeoutMs,
    );
    const decision =
      outcome.kind === 'ok'
        ? evaluateAuthorizerResult(outcome.result, event.methodArn, Date.now() - started)
        : decisionForError(outcome.kind === 'error' ? outcome.error : new Error('timeout'));
    if (decision.kind === 'allow') return { ...facts, authorizer: decision.context };
    if (decision.statusCode === 500) {
      this.logError('authorizer failed', {
        functionName,
        connectionId: facts.connectionId,
        ...(outcome.kind === 'error' ? { error: describeError(outcome.error) } : { outcome: outcome.kind }),
      });
    }
    return decision;
  }

  private register(socket: WebSocket, facts: ConnectionFacts, handshake: LiveConnection['handshake']): void {
    const connection: LiveConnection = {
      facts,
      handshake,
      socket,
      lastActiveAt: Date.now(),
      queue: Promise.resolve(),
    };
    this.registry.add(connection);
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const payload = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      connection.lastActiveAt = Date.now();
      connection.queue = connection.queue.then(() => this.onMessage(connection, payload, isBinary));
    });
    socket.on('error', () => {
      // A protocol error (oversized frame, bad UTF-8) closes the socket; 'close' does the rest.
    });
    // Tracked from the start, so close() also waits for connections still mid-handshake.
    this.trackDisconnect(
      new Promise<void>((resolve) => {
        socket.once('close', (code: number, reason: Buffer) => {
          this.registry.remove(facts.connectionId);
          const event = () =>
            disconnectEvent(this.config, facts, handshake, code, reason.toString(), Date.now());
          connection.queue
            .then(() => this.call('$disconnect', event()))
            .then(
              () => resolve(),
              () => resolve(),
            );
        });
      }),
    );
  }

  private trackDisconnect(work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.disconnects.add(tracked);
    tracked.finally(() => this.disconnects.delete(tracked));
  }

  private async onMessage(connection: LiveConnection, data: Buffer, isBinary: boolean): Promise<void> {
    const { facts, socket } = connection;
    const routeKey = isBinary
      ? '$default'
      : selectRoute(this.expression, data.toString('utf8'), new Set(this.routes.keys()));
    const event = messageEvent(this.config, facts, routeKey, data, isBinary, newMessageId(), Date.now());
    const reply = (payload: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
    };
    if (!this.routes.has(routeKey)) {
      reply({
        message: 'Forbidden',
        connectionId: facts.connectionId,
        requestId: event.requestContext.requestId,
      });
      return;
    }
    const outcome = await this.call(routeKey, event);
    if (!outcome.ok) {
      reply({
        message: 'Internal server error',
        connectionId: facts.connectionId,
        requestId: event.requestContext.requestId,
      });
      return;
    }
    const answer = replyOf(outcome.result);
    if (answer && socket.readyState === socket.OPEN) socket.send(answer.data, { binary: answer.binary });
  }

  /** Closes every connection and waits for their `$disconnect` handlers. */
  async close(): Promise<void> {
    for (const client of this.server.clients) client.close(1001, 'Going away');
    // Give clients a moment to answer the close handshake, then cut whatever is left.
    const deadline = new Promise((resolve) => setTimeout(resolve, 1000).unref());
    await Promise.race([Promise.all([...this.disconnects]), deadline]);
    for (const client of this.server.clients) client.terminate();
    await Promise.all([...this.disconnects]);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
