import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { parseChannelRequest } from '../../core/push/client-message.ts';
import type { ChannelLedger } from '../../io/push/channel-ledger.ts';
import type { ConnectionRegistry } from '../../io/push/connection-registry.ts';
import { pushContext } from '../connect/push-context.ts';

/**
 * subscribe / unsubscribe. The reply (sent back on the socket by API Gateway) carries the last
 * snapshot of each channel with its seq, so subscribing again is also how a client resyncs
 * after a gap.
 */
export async function channelRoute(
  event: APIGatewayProxyWebsocketEventV2,
  registry: ConnectionRegistry,
  ledger: ChannelLedger,
): Promise<APIGatewayProxyResultV2> {
  const { connectionId } = event.requestContext;
  let request: ReturnType<typeof parseChannelRequest>;
  try {
    request = parseChannelRequest(event.body);
  } catch (err) {
    return { statusCode: 400, body: JSON.stringify({ type: 'error', message: (err as Error).message }) };
  }
  const project = await registry.projectOf(connectionId);
  if (project === undefined)
    return {
      statusCode: 410,
      body: JSON.stringify({ type: 'error', message: 'connection: not registered' }),
    };
  if (request.action === 'unsubscribe') {
    await registry.unsubscribe(connectionId, project, request.channels);
    return { statusCode: 200, body: JSON.stringify({ type: 'unsubscribed', channels: request.channels }) };
  }
  await registry.subscribe(connectionId, project, request.channels);
  const snapshots = await ledger.lastSnapshots(project, request.channels);
  const frames = snapshots.map(
    (s) =>
      `{"type":"snapshot","channel":${JSON.stringify(s.channel)},"seq":${s.seq},"at":${s.at},"data":${s.body}}`,
  );
  return {
    statusCode: 200,
    body: `{"type":"subscribed","channels":${JSON.stringify(request.channels)},"frames":[${frames.join(',')}]}`,
  };
}

export async function handler(event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> {
  const { registry, ledger, logger } = await pushContext();
  try {
    return await channelRoute(event, registry, ledger);
  } catch (err) {
    logger.error('channel route failed', { error: String(err) });
    return { statusCode: 500, body: JSON.stringify({ type: 'error', message: 'registry unavailable' }) };
  }
}
