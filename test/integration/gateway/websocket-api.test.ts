import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway, type WebSocketRouteEvent } from '../../../local/gateway/index.ts';
import { eventually, openClient, type TestClient } from './ws-client.ts';

const allow = (principalId: string, arn: string, context: Record<string, string | number | boolean>) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow' as const, Resource: arn }],
  },
  context,
});

describe('local gateway: WebSocket API', () => {
  let gateway: RunningGateway;
  const events: WebSocketRouteEvent[] = [];
  const authorizerEvents: APIGatewayRequestAuthorizerEvent[] = [];
  const clients: TestClient[] = [];
  const byRoute = (routeKey: string) => events.filter((e) => e.requestContext.routeKey === routeKey);

  beforeAll(async () => {
    gateway = await startGateway({
      stage: { webSocket: 'live' },
      log: () => undefined,
      webSocket: {
        authorizer: {
          identitySource: ['route.request.querystring.token'],
          handler: async (event) => {
            authorizerEvents.push(event);
            const token = event.queryStringParameters?.token;
            if (token === 'expired') throw new Error('Unauthorized');
            if (token === 'banned') {
              return {
                principalId: 'banned',
                policyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: event.methodArn }],
                },
              };
            }
            return allow('user-7', event.methodArn, { tenant: 'acme', level: 3 });
          },
        },
        routes: {
          $connect: async (event) => {
            events.push(event);
            if (event.queryStringParameters?.channel === 'closed') return { statusCode: 403 };
            return { statusCode: 200 };
          },
          $disconnect: async (event) => {
            events.push(event);
            return { statusCode: 200 };
          },
          subscribe: async (event) => {
            events.push(event);
            const { channel } = JSON.parse(event.body ?? '{}') as { channel: string };
            return { statusCode: 200, body: JSON.stringify({ subscribed: channel }) };
          },
          $default: async (event) => {
            events.push(event);
            return { statusCode: 200, body: `echo:${event.body}` };
          },
        },
      },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    await gateway.close();
  });

  async function connect(query: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const client = await openClient(`${gateway.wsUrl}?${query}`, headers);
    clients.push(client);
    return client;
  }

  it('refuses the upgrade with 403 when the authorizer denies, without calling $connect', async () => {
    const connects = byRoute('$connect').length;
    await expect(connect('token=banned')).rejects.toMatchObject({ statusCode: 403 });
    await expect(connect('token=expired')).rejects.toMatchObject({ statusCode: 401 });
    const calls = authorizerEvents.length;
    await expect(connect('no-token=1')).rejects.toMatchObject({ statusCode: 401 });
    expect(authorizerEvents.length).toBe(calls);
    expect(byRoute('$connect').length).toBe(connects);
  });

  it('refuses the upgrade when $connect answers 4xx', async () => {
    await expect(connect('token=ok&channel=closed')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('runs $connect, custom routes, $default and $disconnect with API Gateway events', async () => {
    const client = await connect('token=ok&channel=signups', { 'X-Dashboard': 'main' });
    const authEvent = authorizerEvents.at(-1)!;
    expect(authEvent.type).toBe('REQUEST');
    expect(authEvent.methodArn).toMatch(/^arn:aws:execute-api:local:000000000000:[^/]+\/live\/\$connect$/);
    expect(authEvent.queryStringParameters).toEqual({ token: 'ok', channel: 'signups' });

    const connectEvent = byRoute('$connect').at(-1)!;
    const rc = connectEvent.requestContext;
    expect(rc.eventType).toBe('CONNECT');
    expect(rc.connectionId).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    expect(rc.stage).toBe('live');
    expect(rc.domainName).toBe(new URL(gateway.wsUrl).host);
    expect(rc.apiId).toBeTruthy();
    expect(rc.requestId).toBeTruthy();
    expect(rc.connectedAt).toBeGreaterThan(0);
    expect(rc.identity.sourceIp).toBe('127.0.0.1');
    expect(rc.authorizer).toMatchObject({ principalId: 'user-7', tenant: 'acme', level: '3' });
    expect(connectEvent.queryStringParameters).toEqual({ token: 'ok', channel: 'signups' });
    expect(connectEvent.headers?.['X-Dashboard']).toBe('main');

    client.socket.send(JSON.stringify({ action: 'subscribe', channel: 'signups' }));
    expect(JSON.parse(await client.next())).toEqual({ subscribed: 'signups' });
    const subscribe = byRoute('subscribe').at(-1)!;
    expect(subscribe.requestContext).toMatchObject({
      routeKey: 'subscribe',
      eventType: 'MESSAGE',
      connectionId: rc.connectionId,
      connectedAt: rc.connectedAt,
      stage: 'live',
      domainName: rc.domainName,
      apiId: rc.apiId,
      authorizer: rc.authorizer,
    });
    expect(subscribe.requestContext.messageId).toBeTruthy();
    expect(subscribe.requestContext.requestId).not.toBe(rc.requestId);
    expect(subscribe.isBase64Encoded).toBe(false);

    client.socket.send('not json');
    expect(await client.next()).toBe('echo:not json');
    client.socket.send(JSON.stringify({ action: 'unknown-route' }));
    expect(await client.next()).toBe('echo:{"action":"unknown-route"}');
    expect(byRoute('$default').at(-1)!.requestContext.eventType).toBe('MESSAGE');

    client.socket.close(1000, 'bye');
    await eventually(() =>
      byRoute('$disconnect').some((e) => e.requestContext.connectionId === rc.connectionId),
    );
    const disconnect = byRoute('$disconnect').find((e) => e.requestContext.connectionId === rc.connectionId)!;
    expect(disconnect.requestContext).toMatchObject({
      eventType: 'DISCONNECT',
      routeKey: '$disconnect',
      disconnectStatusCode: 1000,
      disconnectReason: 'bye',
      stage: 'live',
    });
  });

  it("answers a handler error with API Gateway's error frame and keeps the connection", async () => {
    const failing = await startGateway({
      log: () => undefined,
      webSocket: {
        routes: {
          $default: async (event) => {
            if (event.body === 'boom') throw new Error('route failed');
            return { statusCode: 200, body: 'fine' };
          },
        },
      },
    });
    try {
      const client = await openClient(failing.wsUrl);
      client.socket.send('boom');
      expect(JSON.parse(await client.next())).toMatchObject({ message: 'Internal server error' });
      client.socket.send('again');
      expect(await client.next()).toBe('fine');
      client.socket.close();
      await client.closed;
    } finally {
      await failing.close();
    }
  });
});
