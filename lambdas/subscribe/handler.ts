import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { ClientMessageError, parseChannelRequest } from '../../core/push/client-message.ts';
import type { ChannelLedger } from '../../io/push/channel-ledger.ts';
import type { ConnectionRegistry } from '../../io/push/connection-registry.ts';
import { pushContext } from '../connect/push-context.ts';
import { answerOf, type ErrorAnswerStyle, errorResponse } from '../error-answers.ts';
import { functionTools, httpHandler, type SpateHandler } from '../spate-handler.ts';

/**
 * Errors go back on the socket as a frame the dashboard knows: `{"type":"error",...}` (it skips
 * them by that prefix).
 */
const SOCKET_ERROR_STYLE: ErrorAnswerStyle = {
  headers: {},
  body: ({ message, field, rule }) => JSON.stringify({ type: 'error', message, field, rule }),
  internalMessage: 'registry unavailable',
};

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
    if (!(err instanceof ClientMessageError)) throw err;
    return errorResponse(answerOf(err), SOCKET_ERROR_STYLE);
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

const tools = functionTools('spate-push');

export const handler: SpateHandler<APIGatewayProxyWebsocketEventV2, APIGatewayProxyResultV2> = httpHandler(
  tools,
  async (event: APIGatewayProxyWebsocketEventV2) => {
    const { registry, ledger } = await pushContext();
    return channelRoute(event, registry, ledger);
  },
  SOCKET_ERROR_STYLE,
);
