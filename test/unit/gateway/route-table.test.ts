import { describe, expect, it } from 'vitest';
import { parseRouteKey, RouteTable } from '../../../local/gateway/route-table.ts';

function table(...keys: string[]): RouteTable<string> {
  const routes = new RouteTable<string>();
  for (const key of keys) routes.add(key, key);
  return routes;
}

describe('RouteTable', () => {
  const routes = table(
    'ANY /v1/{proxy+}',
    'GET /v1/metrics/{name}',
    'GET /v1/metrics/top',
    'POST /v1/events',
    'ANY /v1/events',
    'GET /v1/{kind}/top',
    '$default',
  );

  it('prefers an exact path over a {param} over a greedy {proxy+}', () => {
    expect(routes.match('GET', '/v1/metrics/top')?.routeKey).toBe('GET /v1/metrics/top');
    expect(routes.match('GET', '/v1/metrics/views')).toEqual({
      target: 'GET /v1/metrics/{name}',
      routeKey: 'GET /v1/metrics/{name}',
      pathParameters: { name: 'views' },
    });
    expect(routes.match('GET', '/v1/a/b/c')).toMatchObject({
      routeKey: 'ANY /v1/{proxy+}',
      pathParameters: { proxy: 'a/b/c' },
    });
  });

  it('compares segment by segment: a literal early beats a parameter early', () => {
    expect(routes.match('GET', '/v1/metrics/top')?.routeKey).toBe('GET /v1/metrics/top');
    expect(routes.match('GET', '/v1/funnels/top')?.routeKey).toBe('GET /v1/{kind}/top');
  });

  it('prefers a named method over ANY', () => {
    expect(routes.match('POST', '/v1/events')?.routeKey).toBe('POST /v1/events');
    expect(routes.match('PUT', '/v1/events')?.routeKey).toBe('ANY /v1/events');
  });

  it('leaves unmatched requests to $default, which is looked up separately', () => {
    expect(routes.match('GET', '/elsewhere')).toBeUndefined();
    expect(routes.matchDefault()?.routeKey).toBe('$default');
    expect(table('GET /x').matchDefault()).toBeUndefined();
  });

  it('decodes path parameters and omits them for literal routes', () => {
    expect(routes.match('GET', '/v1/metrics/page%20views')?.pathParameters).toEqual({ name: 'page views' });
    expect(routes.match('POST', '/v1/events')?.pathParameters).toBeUndefined();
  });

  it('needs at least one segment for a greedy variable', () => {
    expect(table('GET /v1/{proxy+}').match('GET', '/v1')).toBeUndefined();
    expect(table('GET /v1/{proxy+}').match('GET', '/v1/')).toBeUndefined();
  });

  it('rejects a duplicate route key naming the field', () => {
    const routes = table('GET /x');
    expect(() => routes.add('GET /x', 'again', 'httpRoutes[1].routeKey')).toThrow(
      /httpRoutes\[1\]\.routeKey: .*defined twice/,
    );
  });
});

describe('parseRouteKey', () => {
  it.each([
    ['GET', /one space/],
    ['FETCH /x', /method "FETCH"/],
    ['GET x', /must start with "\/"/],
    ['GET /{proxy+}/x', /greedy .* only as the last segment/],
    ['GET /a//b', /segment ""/],
    ['GET /a{b}', /segment "a\{b\}"/],
  ])('rejects %s', (key, rule) => {
    expect(() => parseRouteKey(key)).toThrow(rule);
  });

  it('parses literal, parameter and greedy segments', () => {
    expect(parseRouteKey('ANY /v1/{name}/{proxy+}').segments).toEqual([
      { kind: 'literal', value: 'v1' },
      { kind: 'param', name: 'name' },
      { kind: 'greedy', name: 'proxy' },
    ]);
  });
});
