import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';

const METHODS: Readonly<Record<string, apigw.HttpMethod>> = {
  GET: apigw.HttpMethod.GET,
  POST: apigw.HttpMethod.POST,
  PUT: apigw.HttpMethod.PUT,
  DELETE: apigw.HttpMethod.DELETE,
  PATCH: apigw.HttpMethod.PATCH,
  // Routed only on an API without CORS settings: there the function answers preflights itself.
  OPTIONS: apigw.HttpMethod.OPTIONS,
};

export interface ParsedRouteKey {
  readonly method: apigw.HttpMethod;
  readonly path: string;
}

/**
 * An API Gateway route key as the handler modules declare them ("POST /v1/events",
 * "GET /v1/metrics/{name}"); anything else is a mistake in a handler module, said plainly.
 */
export function parseRouteKey(routeKey: string): ParsedRouteKey {
  const match = /^([A-Z]+) (\/[A-Za-z0-9._~{}+/-]*)$/.exec(routeKey);
  const method = match ? METHODS[match[1]!] : undefined;
  if (!match || !method)
    throw new Error(
      `route key "${routeKey}" must be "<${Object.keys(METHODS).join('|')}> /path" (e.g. "GET /v1/ops")`,
    );
  return { method, path: match[2]! };
}

/** One route per key, all to one integration. */
export function addRouteKeys(
  api: apigw.HttpApi,
  routeKeys: readonly string[],
  integration: apigw.HttpRouteIntegration,
): void {
  if (routeKeys.length === 0) throw new Error('routeKeys must name at least one route');
  for (const key of routeKeys) {
    const { method, path } = parseRouteKey(key);
    api.addRoutes({ path, methods: [method], integration });
  }
}
