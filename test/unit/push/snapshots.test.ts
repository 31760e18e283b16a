import { describe, expect, it } from 'vitest';
import { defineFunnel } from '../../../core/aggregation/funnel-definition.ts';
import { signDashboardToken } from '../../../core/auth/dashboard-token.ts';
import {
  funnelSnapshot,
  overviewSnapshot,
  timeseriesSnapshot,
  topSnapshot,
} from '../../../core/push/snapshots.ts';
import { authorize } from '../../../lambdas/connect/authorizer.ts';

const seconds: Record<string, string>[] = [
  { 't:page_view': '4', 't:purchase': '1', ord: '1', 'rev:EUR': '1999' },
  {},
  { 't:page_view': '2', 't:purchase': '2', ord: '2', 'rev:EUR': '1', 'rev:USD': '500' },
];

describe('snapshots', () => {
  it('sums the live window into the overview, money in major units', () => {
    expect(overviewSnapshot({ fromSecond: 100, seconds, uniqueVisitors: 7, activeNow: 3 })).toEqual({
      window_s: 3,
      events: 9,
      by_type: { page_view: 6, purchase: 3 },
      orders: 3,
      revenue: { EUR: 20, USD: 5 },
      unique_visitors: 7,
      active_now: 3,
      events_per_s: 2.5,
    });
  });

  it('keys a series by second and leaves empty seconds out', () => {
    expect(timeseriesSnapshot('orders', 100, seconds).points).toEqual({ '100': 1, '102': 2 });
    expect(timeseriesSnapshot('revenue', 100, seconds).points).toEqual({
      '100': { EUR: 19.99 },
      '102': { EUR: 0.01, USD: 5 },
    });
  });

  it('ranks the top items and computes step conversion', () => {
    const top = topSnapshot(
      'products',
      300,
      new Map([
        ['a', 2],
        ['b', 9],
      ]),
    );
    expect(top.items).toEqual([
      { member: 'b', score: 9 },
      { member: 'a', score: 2 },
    ]);
    const funnel = funnelSnapshot(defineFunnel(['page_view', 'add_to_cart', 'purchase']), 1800, [
      { '0': '10', '1': '4' },
      { '0': '10', '1': '1', '2': '1' },
    ]);
    expect(funnel.steps).toEqual([
      { label: 'page_view', users: 20, conversion: 1 },
      { label: 'add_to_cart', users: 5, conversion: 0.25 },
      { label: 'purchase', users: 1, conversion: 0.2 },
    ]);
  });
});

describe('authorize', () => {
  const arn = 'arn:aws:execute-api:local:0:api/local/$connect';
  const token = (exp: number, secret = 's') => signDashboardToken({ project: 'p', exp }, secret);
  const now = 1_700_000_000_000;

  it('allows a valid token with the project in the context', () => {
    const result = authorize(
      { methodArn: arn, queryStringParameters: { token: token(now / 1000 + 60) } },
      's',
      now,
    );
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(result.context).toMatchObject({ project: 'p' });
  });

  it('throws Unauthorized (401) for a missing or malformed token, denies (403) a bad one', () => {
    expect(() => authorize({ methodArn: arn, queryStringParameters: {} }, 's', now)).toThrow('Unauthorized');
    expect(() => authorize({ methodArn: arn, queryStringParameters: { token: 'x' } }, 's', now)).toThrow(
      'Unauthorized',
    );
    const expired = authorize(
      { methodArn: arn, queryStringParameters: { token: token(now / 1000 - 1) } },
      's',
      now,
    );
    expect(expired.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(expired.context).toMatchObject({ reason: 'token.exp: expired' });
    const forged = authorize(
      { methodArn: arn, queryStringParameters: { token: token(now / 1000 + 60, 'x') } },
      's',
      now,
    );
    expect(forged.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });
});
