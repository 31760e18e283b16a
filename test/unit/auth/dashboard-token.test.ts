import { describe, expect, it } from 'vitest';
import { signDashboardToken, verifyDashboardToken } from '../../../core/auth/dashboard-token.ts';

const secret = 'local-secret';
const now = Date.UTC(2026, 10, 21, 12, 0, 0);
const inAnHour = now / 1000 + 3600;

describe('dashboard tokens', () => {
  it('round-trips the project of a valid token', () => {
    const token = signDashboardToken({ project: 'demo', exp: inAnHour }, secret);
    expect(verifyDashboardToken(token, secret, now)).toEqual({ project: 'demo', exp: inAnHour });
  });

  it('rejects a missing token, naming the field', () => {
    expect(() => verifyDashboardToken(undefined, secret, now)).toThrow('token: required');
  });

  it('rejects a token signed with another secret', () => {
    const token = signDashboardToken({ project: 'demo', exp: inAnHour }, 'other');
    expect(() => verifyDashboardToken(token, secret, now)).toThrow('signature does not match');
  });

  it('rejects a token whose claims were edited to another project', () => {
    const token = signDashboardToken({ project: 'demo', exp: inAnHour }, secret);
    const forged = Buffer.from(JSON.stringify({ project: 'acme', exp: inAnHour })).toString('base64url');
    expect(() => verifyDashboardToken(`${forged}.${token.split('.')[1]}`, secret, now)).toThrow(
      'signature does not match',
    );
  });

  it('rejects an expired token', () => {
    const token = signDashboardToken({ project: 'demo', exp: now / 1000 - 1 }, secret);
    expect(() => verifyDashboardToken(token, secret, now)).toThrow('token.exp: expired');
  });

  it('rejects malformed tokens with the rule they break', () => {
    expect(() => verifyDashboardToken('abc', secret, now)).toThrow('two base64url parts');
    expect(() => verifyDashboardToken('a.b.c', secret, now)).toThrow('two base64url parts');
  });
});
