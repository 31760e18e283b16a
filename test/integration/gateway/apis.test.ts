import { describe, expect, it } from 'vitest';
import { startGateway } from '../../../local/gateway/index.ts';
import { openClient } from './ws-client.ts';

describe('local gateway serving one of its two APIs', () => {
  it('serves only the HTTP API when asked, with no WebSocket URL', async () => {
    const gateway = await startGateway({
      apis: 'http',
      httpRoutes: [{ routeKey: 'GET /v1/ping', functionName: 'ping', handler: async () => ({ pong: true }) }],
    });
    try {
      expect(gateway.wsUrl).toBe('');
      expect(gateway.managementEndpoint).toBe('');
      expect(await (await fetch(`${gateway.httpUrl}/v1/ping`)).json()).toEqual({ pong: true });
    } finally {
      await gateway.close();
    }
  });

  it('serves only the WebSocket API when asked, with no HTTP URL', async () => {
    const gateway = await startGateway({
      apis: 'websocket',
      webSocket: { routes: { $default: async () => ({ statusCode: 200, body: 'echo' }) } },
    });
    try {
      expect(gateway.httpUrl).toBe('');
      const client = await openClient(gateway.wsUrl);
      client.socket.send(JSON.stringify({ action: 'anything' }));
      expect(await client.next()).toBe('echo');
      client.socket.close();
    } finally {
      await gateway.close();
    }
  });
});
