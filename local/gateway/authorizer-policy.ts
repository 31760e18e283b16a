import type { APIGatewayAuthorizerResult } from 'aws-lambda';

export type AuthorizerDecision =
  | { readonly kind: 'allow'; readonly context: Readonly<Record<string, unknown>> }
  | { readonly kind: 'deny'; readonly statusCode: 401 | 403 | 500; readonly message: string };

function resourceMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(arn);
}

function statementResources(statement: Record<string, unknown>): string[] {
  const resource = statement.Resource;
  if (typeof resource === 'string') return [resource];
  return Array.isArray(resource) ? resource.filter((r): r is string => typeof r === 'string') : [];
}

/**
 * Reads a REQUEST authorizer's policy as API Gateway does: any matching Deny wins, otherwise a
 * matching Allow admits the caller; the result's context reaches handlers with scalar values as
 * strings, next to principalId and integrationLatency.
 */
export function evaluateAuthorizerResult(
  result: unknown,
  methodArn: string,
  latencyMs: number,
): AuthorizerDecision {
  const malformed = { kind: 'deny', statusCode: 500, message: 'Internal Server Error' } as const;
  if (typeof result !== 'object' || result === null) return malformed;
  const { principalId, policyDocument, context } = result as Partial<APIGatewayAuthorizerResult>;
  const statements = (policyDocument as { Statement?: unknown } | undefined)?.Statement;
  if (typeof principalId !== 'string' || !Array.isArray(statements)) return malformed;

  const applicable = statements.filter(
    (s): s is Record<string, unknown> =>
      typeof s === 'object' && s !== null && statementResources(s).some((r) => resourceMatches(r, methodArn)),
  );
  const denied = applicable.some((s) => s.Effect === 'Deny');
  const allowed = applicable.some((s) => s.Effect === 'Allow');
  if (denied || !allowed) return { kind: 'deny', statusCode: 403, message: 'Forbidden' };

  const flattened: Record<string, unknown> = { principalId, integrationLatency: latencyMs };
  for (const [key, value] of Object.entries(context ?? {})) {
    flattened[key] = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  return { kind: 'allow', context: flattened };
}

/** API Gateway's convention: an authorizer that throws exactly `Unauthorized` means 401. */
export function decisionForError(error: unknown): AuthorizerDecision {
  const message = error instanceof Error ? error.message : String(error);
  return message === 'Unauthorized'
    ? { kind: 'deny', statusCode: 401, message: 'Unauthorized' }
    : { kind: 'deny', statusCode: 500, message: 'Internal Server Error' };
}

/** True when every identity source (`route.request.header.X`, `route.request.querystring.y`) is present. */
export function identitySourcesPresent(
  sources: readonly string[],
  headers: Readonly<Record<string, string>>,
  query: Readonly<Record<string, string>> | undefined,
): boolean {
  const lowerHeaders = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return sources.every((source) => {
    const header = /^route\.request\.header\.(.+)$/.exec(source);
    if (header?.[1]) return (lowerHeaders.get(header[1].toLowerCase()) ?? '') !== '';
    const param = /^route\.request\.querystring\.(.+)$/.exec(source);
    if (param?.[1]) return (query?.[param[1]] ?? '') !== '';
    return true;
  });
}

export function validateIdentitySource(sources: readonly string[]): void {
  for (const [i, source] of sources.entries()) {
    if (!/^route\.request\.(header|querystring)\.[^.\s]+$/.test(source)) {
      throw new Error(
        `webSocket.authorizer.identitySource[${i}]: "${source}" must be route.request.header.<name> or route.request.querystring.<name>`,
      );
    }
  }
}
