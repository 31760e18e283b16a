import { describe, expect, it } from 'vitest';
import {
  decisionForError,
  evaluateAuthorizerResult,
  identitySourcesPresent,
  validateIdentitySource,
} from '../../../local/gateway/authorizer-policy.ts';
import { selectRoute, validateRouteSelectionExpression } from '../../../local/gateway/websocket-events.ts';

const ARN = 'arn:aws:execute-api:local:000000000000:ws/local/$connect';
const policy = (effect: 'Allow' | 'Deny', resource: string | string[]) => ({
  principalId: 'p1',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
  context: { tenant: 'acme', admin: true, quota: 5 },
});

describe('route selection', () => {
  const routes = new Set(['$connect', '$default', 'subscribe', 'nested']);

  it('picks the action field when it names a route, else $default', () => {
    expect(selectRoute('$request.body.action', '{"action":"subscribe"}', routes)).toBe('subscribe');
    expect(selectRoute('$request.body.action', '{"action":"other"}', routes)).toBe('$default');
    expect(selectRoute('$request.body.action', '{"action":"$connect"}', routes)).toBe('$default');
    expect(selectRoute('$request.body.action', 'plain text', routes)).toBe('$default');
    expect(selectRoute('$request.body.action', '{"action":7}', routes)).toBe('$default');
  });

  it('follows a dotted path', () => {
    expect(selectRoute('$request.body.meta.route', '{"meta":{"route":"nested"}}', routes)).toBe('nested');
  });

  it('accepts only $request.body expressions', () => {
    expect(() => validateRouteSelectionExpression('$request.header.x')).toThrow(/routeSelectionExpression/);
    expect(() => validateRouteSelectionExpression('$request.body.action')).not.toThrow();
  });
});

describe('authorizer policy', () => {
  it('allows a matching Allow and passes the context with scalars as strings', () => {
    const decision = evaluateAuthorizerResult(policy('Allow', 'arn:aws:execute-api:*:*:ws/*'), ARN, 4);
    expect(decision).toEqual({
      kind: 'allow',
      context: { principalId: 'p1', integrationLatency: 4, tenant: 'acme', admin: 'true', quota: '5' },
    });
  });

  it('denies on Deny, on an Allow for another resource, and on a malformed result', () => {
    expect(evaluateAuthorizerResult(policy('Deny', ARN), ARN, 0)).toMatchObject({
      kind: 'deny',
      statusCode: 403,
    });
    expect(evaluateAuthorizerResult(policy('Allow', 'arn:other'), ARN, 0)).toMatchObject({
      kind: 'deny',
      statusCode: 403,
    });
    expect(evaluateAuthorizerResult({ nope: true }, ARN, 0)).toMatchObject({ kind: 'deny', statusCode: 500 });
  });

  it('maps a thrown Unauthorized to 401 and other errors to 500', () => {
    expect(decisionForError(new Error('Unauthorized'))).toMatchObject({ statusCode: 401 });
    expect(decisionForError(new Error('db down'))).toMatchObject({ statusCode: 500 });
  });

  it('checks identity sources case-insensitively for headers', () => {
    const sources = ['route.request.header.Authorization', 'route.request.querystring.token'];
    expect(identitySourcesPresent(sources, { authorization: 'x' }, { token: 't' })).toBe(true);
    expect(identitySourcesPresent(sources, { authorization: 'x' }, undefined)).toBe(false);
    expect(() => validateIdentitySource(['$request.header.x'])).toThrow(/identitySource\[0\]/);
  });
});
