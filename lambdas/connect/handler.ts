import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { ConnectionRegistry } from '../../io/push/connection-registry.ts';
import { functionTools, httpHandler, type SpateHandler } from '../spate-handler.ts';
import { pushContext } from './push-context.ts';

type RouteEvent = APIGatewayProxyWebsocketEventV2 & {
  readonly requestContext: { readonly authorizer?: Readonly<Record<string, unknown>> };
};

/**
 * $connect registers the connection under the project its token was scoped to (the authorizer
 * has already refused bad tokens; without its context nothing is registered); $disconnect
 * forgets it and its subscriptions.
 */
export async function connectionRoute(
  event: RouteEvent,
  registry: ConnectionRegistry,
): Promise<APIGatewayProxyResultV2> {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === '$connect') {
    const project = event.requestContext.authorizer?.project;
    if (typeof project !== 'string' || project === '')
      return { statusCode: 403, body: 'no project in authorizer context' };
    await registry.register(connectionId, project);
    return { statusCode: 200 };
  }
  if (routeKey === '$disconnect') {
    await registry.remove(connectionId);
    return { statusCode: 200 };
  }
  return { statusCode: 400, body: `routeKey: ${routeKey} is not $connect or $disconnect` };
}

const tools = functionTools('spate-push');

/** A failure (Redis down, config unreadable) is logged and answered 500, in plain text as API Gateway shows it. */
export const handler: SpateHandler<RouteEvent, APIGatewayProxyResultV2> = httpHandler(
  tools,
  async (event: RouteEvent) => connectionRoute(event, (await pushContext()).registry),
  { headers: {}, body: (answer) => answer.message, internalMessage: 'registry unavailable' },
);
