import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { DashboardTokenError, verifyDashboardToken } from '../../core/auth/dashboard-token.ts';
import { dashboardTokenKey } from '../../io/config/dashboard-token-key.ts';
import type { SecretSource } from '../../io/config/secret-setting.ts';
import { eventHandler, functionTools, type SpateHandler } from '../spate-handler.ts';

/**
 * REQUEST authorizer of the WebSocket $connect route: a dashboard token in `?token=`. A
 * missing or unreadable token is 401 (throwing `Unauthorized`, API Gateway's convention); a
 * well-formed token that fails (bad signature, expired) is an explicit Deny, 403. The project
 * travels to $connect in the authorizer context.
 */
let tokenKey: SecretSource | undefined;

export function authorize(
  event: Pick<APIGatewayRequestAuthorizerEvent, 'queryStringParameters' | 'methodArn'>,
  tokenSecret: string,
  nowMs = Date.now(),
): APIGatewayAuthorizerResult {
  const token = event.queryStringParameters?.token;
  if (token?.split('.').length !== 2) throw new Error('Unauthorized');
  try {
    const claims = verifyDashboardToken(token, tokenSecret, nowMs);
    return {
      principalId: `dashboard:${claims.project}`,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      context: { project: claims.project, exp: claims.exp },
    };
  } catch (err) {
    if (!(err instanceof DashboardTokenError)) throw err;
    return {
      principalId: 'dashboard:rejected',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: event.methodArn }],
      },
      context: { reason: err.message },
    };
  }
}

const tools = functionTools('spate-push');

// Errors propagate: `Unauthorized` is how an authorizer says 401, and any other failure is a 500.
export const handler: SpateHandler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult> =
  eventHandler(tools, async (event: APIGatewayRequestAuthorizerEvent) => {
    tokenKey ??= dashboardTokenKey(process.env);
    return authorize(event, await tokenKey());
  });
