import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../../local/gateway/index.ts';
import { eventually, openClient, type TestClient } from './ws-client.ts';

describe('local gateway: @connections management API', () => {
  let gateway: RunningGateway;
  let management: ApiGatewayManagementApiClient;
  const connectionIds: string[] = [];
  const disconnected: string[] = [];
  const clients: TestClient[] = [];

  beforeAll(async () => {
    gateway = await startGateway({
      log: () => undefined,
      webSocket: {
        routes: {
          $connect: async (event) => {
            connectionIds.push(event.requestContext.connectionId);
            return { statusCode: 200 };
          },
          $disconnect: async (event) => {
            disconnected.push(event.requestContext.connectionId);
            return { statusCode: 200 };
          },
        },
      },
    });
    management = new ApiGatewayManagementApiClient({
      endpoint: gateway.managementEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    management.destroy();
    for (const client of clients) client.socket.terminate();
    await gateway.close();
  });

  async function connect(userAgent: string): Promise<{ client: TestClient; connectionId: string }> {
    const client = await openClient(gateway.wsUrl, { 'User-Agent': userAgent });
    clients.push(client);
    return { client, connectionId: connectionIds.at(-1)! };
  }

  it('PostToConnection reaches a live client and GetConnection describes it', async () => {
    const before = Date.now();
    const { client, connectionId } = await connect('dashboard/2.0');
    await management.send(
      new PostToConnectionCommand({
        ConnectionId: connectionId,
        Data: JSON.stringify({ metric: 'signups', value: 42 }),
      }),
    );
    expect(JSON.parse(await client.next())).toEqual({ metric: 'signups', value: 42 });

    await management.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode('raw') }),
    );
    expect(await client.next()).toBe('raw');

    const info = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(info.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'dashboard/2.0' });
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(info.ConnectedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(info.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(info.ConnectedAt!.getTime());
  });

  it('DeleteConnection closes the socket and runs $disconnect', async () => {
    const { client, connectionId } = await connect('dashboard/2.0');
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    await eventually(() => disconnected.includes(connectionId));
    await expect(
      management.send(new GetConnectionCommand({ ConnectionId: connectionId })),
    ).rejects.toBeInstanceOf(GoneException);
  });

  it('PostToConnection after the client left throws GoneException', async () => {
    const { client, connectionId } = await connect('dashboard/2.0');
    client.socket.close();
    await client.closed;
    await eventually(() => disconnected.includes(connectionId));
    const error = await management
      .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'too late' }))
      .then(() => undefined)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(GoneException);
    expect((error as Error).name).toBe('GoneException');
    expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
  });

  it('treats an id that never existed as gone, also without the stage prefix', async () => {
    const bare = new ApiGatewayManagementApiClient({
      endpoint: new URL(gateway.managementEndpoint).origin,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await expect(
        bare.send(new PostToConnectionCommand({ ConnectionId: 'bm9wZQ==', Data: 'x' })),
      ).rejects.toMatchObject({
        name: 'GoneException',
      });
    } finally {
      bare.destroy();
    }
  });
});
