import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, type WebSocketRouteEvent } from '../../../local/gateway/index.ts';
import { openClient } from './ws-client.ts';

describe('local gateway: stages, timeouts, binary frames and shutdown', () => {
  it('serves a named HTTP stage under its prefix and reports it in the event', async () => {
    const gateway = await startGateway({
      stage: { http: 'prod' },
      httpRoutes: [{ routeKey: 'GET /v1/ping', functionName: 'ping', handler: async (event) => event }],
    });
    try {
      expect(gateway.httpUrl).toMatch(/\/prod$/);
      const event = (await (await fetch(`${gateway.httpUrl}/v1/ping`)).json()) as APIGatewayProxyEventV2;
      expect(event.requestContext.stage).toBe('prod');
      expect(event.rawPath).toBe('/prod/v1/ping');
      expect(event.routeKey).toBe('GET /v1/ping');
      const unstaged = await fetch(`${new URL(gateway.httpUrl).origin}/v1/ping`);
      expect(unstaged.status).toBe(404);
    } finally {
      await gateway.close();
    }
  });

  it('answers 503 when a handler outlives the integration timeout', async () => {
    const logs: string[] = [];
    let release: () => void = () => undefined;
    const gateway = await startGateway({
      integrationTimeoutMs: 200,
      log: (line) => logs.push(line),
      httpRoutes: [
        {
          routeKey: 'GET /slow',
          functionName: 'slow',
          handler: () => new Promise((resolve) => (release = () => resolve('late'))),
        },
      ],
    });
    try {
      const response = await fetch(`${gateway.httpUrl}/slow`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ message: 'Service Unavailable' });
      expect(logs.some((line) => line.includes('timed out'))).toBe(true);
    } finally {
      release();
      await gateway.close();
    }
  });

  it('passes binary frames to $default base64-encoded and negotiates the subprotocol $connect accepts', async () => {
    const events: WebSocketRouteEvent[] = [];
    const gateway = await startGateway({
      webSocket: {
        routes: {
          $connect: async () => ({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'spate.v1' } }),
          $default: async (event) => {
            events.push(event);
            return { statusCode: 200, body: Buffer.from('pong').toString('base64'), isBase64Encoded: true };
          },
        },
      },
    });
    try {
      const socket = new WebSocket(gateway.wsUrl, ['spate.v2', 'spate.v1']);
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      expect(socket.protocol).toBe('spate.v1');
      const reply = new Promise<{ data: Buffer; isBinary: boolean }>((resolve) =>
        socket.once('message', (data: Buffer, isBinary) => resolve({ data, isBinary })),
      );
      socket.send(Buffer.from([1, 2, 3, 255]));
      const { data, isBinary } = await reply;
      expect(isBinary).toBe(true);
      expect(data.toString()).toBe('pong');
      expect(events[0]!.isBase64Encoded).toBe(true);
      expect(Buffer.from(events[0]!.body!, 'base64')).toEqual(Buffer.from([1, 2, 3, 255]));
      socket.terminate();
    } finally {
      await gateway.close();
    }
  });

  it('accepts a bare authorizer function and refuses with 500 when it fails', async () => {
    const logs: string[] = [];
    let connects = 0;
    const gateway = await startGateway({
      log: (line) => logs.push(line),
      webSocket: {
        authorizer: async () => {
          throw new Error('token service down');
        },
        routes: { $connect: async () => void connects++ },
      },
    });
    try {
      await expect(openClient(gateway.wsUrl)).rejects.toMatchObject({ statusCode: 500 });
      expect(connects).toBe(0);
      expect(logs.some((line) => line.includes('token service down'))).toBe(true);
    } finally {
      await gateway.close();
    }
  });

  it('close() disconnects every client, runs $disconnect for each and frees both ports', async () => {
    const disconnects: WebSocketRouteEvent[] = [];
    const gateway = await startGateway({
      webSocket: { routes: { $disconnect: async (event) => void disconnects.push(event) } },
    });
    const clients = await Promise.all([openClient(gateway.wsUrl), openClient(gateway.wsUrl)]);
    await gateway.close();
    const closes = await Promise.all(clients.map((c) => c.closed));
    expect(closes.map((c) => c.code)).toEqual([1001, 1001]);
    expect(disconnects).toHaveLength(2);
    expect(disconnects.every((e) => e.requestContext.disconnectStatusCode === 1001)).toBe(true);
    await expect(fetch(`${new URL(gateway.managementEndpoint).origin}/@connections/x`)).rejects.toThrow();
    await expect(fetch(gateway.httpUrl)).rejects.toThrow();
  });
});
