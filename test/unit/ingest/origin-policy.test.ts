import { describe, expect, it } from 'vitest';
import { OriginPolicy } from '../../../core/limits/origin-policy.ts';
import { readCorsOrigins } from '../../../io/config/cors-origins.ts';
import { ConfigError } from '../../../io/config/env-reader.ts';
import { readIngestConfig } from '../../../io/config/ingest-config.ts';
import { preflight, withCors } from '../../../lambdas/ingest/cors.ts';

const policy = new OriginPolicy({ shop: ['https://Shop.example', 'http://localhost:5173'], blog: ['*'] });

describe('OriginPolicy', () => {
  it('holds each project to its own origins; `*` allows any origin for that project only', () => {
    expect(policy.allows('shop', 'https://shop.example')).toBe(true);
    expect(policy.allows('shop', 'http://localhost:5173')).toBe(true);
    expect(policy.allows('shop', 'https://evil.example')).toBe(false);
    expect(policy.allows('shop', 'http://shop.example')).toBe(false);
    expect(policy.allows('blog', 'https://evil.example')).toBe(true);
    expect(policy.allows('other', 'https://shop.example')).toBe(false);
  });

  it('allows an origin for a preflight when any project lists it', () => {
    expect(
      new OriginPolicy({ shop: ['https://shop.example'] }).allowsAnyProject('https://shop.example'),
    ).toBe(true);
    expect(new OriginPolicy({ shop: ['https://shop.example'] }).allowsAnyProject('https://a.example')).toBe(
      false,
    );
    expect(new OriginPolicy().allowsAnyProject('https://shop.example')).toBe(false);
  });
});

describe('SPATE_CORS_ORIGINS', () => {
  it('reads a list or "*" per project; unset allows no page', () => {
    const read = readCorsOrigins({
      SPATE_CORS_ORIGINS: JSON.stringify({ shop: ['https://shop.example'], blog: '*' }),
    });
    expect(read.allows('shop', 'https://shop.example')).toBe(true);
    expect(read.allows('blog', 'https://any.example')).toBe(true);
    expect(readCorsOrigins({}).allowsAnyProject('https://shop.example')).toBe(false);
    const config = readIngestConfig({
      SPATE_WRITE_KEYS: '{}',
      SPATE_CORS_ORIGINS: JSON.stringify({ shop: ['https://shop.example'] }),
    });
    expect(config.origins.allows('shop', 'https://shop.example')).toBe(true);
  });

  it('names the variable, the project and the rule when an entry is wrong', () => {
    expect(() => readCorsOrigins({ SPATE_CORS_ORIGINS: 'shop.example' })).toThrow(
      /SPATE_CORS_ORIGINS must be JSON/,
    );
    expect(() => readCorsOrigins({ SPATE_CORS_ORIGINS: '["https://shop.example"]' })).toThrow(ConfigError);
    expect(() =>
      readCorsOrigins({ SPATE_CORS_ORIGINS: JSON.stringify({ shop: ['https://shop.example/app'] }) }),
    ).toThrow(/SPATE_CORS_ORIGINS\.shop: "https:\/\/shop.example\/app" must be "\*" or an origin/);
    expect(() => readCorsOrigins({ SPATE_CORS_ORIGINS: JSON.stringify({ shop: [7] }) })).toThrow(
      /SPATE_CORS_ORIGINS\.shop: 7/,
    );
  });
});

describe('CORS answers of the ingest function', () => {
  it('answers a preflight from a listed origin with the methods and headers browser clients send', () => {
    const answer = preflight(policy, 'https://shop.example');
    expect(answer.statusCode).toBe(204);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': 'https://shop.example',
      'access-control-allow-methods': 'POST,OPTIONS',
      vary: 'origin',
    });
    const allowed = String(answer.headers?.['access-control-allow-headers']).split(',');
    for (const header of ['authorization', 'content-type', 'content-encoding', 'x-retry-count'])
      expect(allowed).toContain(header);
  });

  it('refuses a preflight from an origin no project lists, naming the setting', () => {
    const answer = preflight(new OriginPolicy({ shop: ['https://shop.example'] }), 'https://evil.example');
    expect(answer.statusCode).toBe(403);
    expect(answer.headers?.['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(String(answer.body)).message).toMatch(/https:\/\/evil.example.*SPATE_CORS_ORIGINS/);
  });

  it("tags a response for its project's origins only, and leaves server requests alone", () => {
    const response = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
    const strict = new OriginPolicy({ shop: ['https://shop.example'], blog: ['https://blog.example'] });
    expect(withCors(response, strict, 'https://shop.example', 'shop').headers).toMatchObject({
      'access-control-allow-origin': 'https://shop.example',
      'content-type': 'application/json',
    });
    expect(withCors(response, strict, 'https://blog.example', 'shop').headers).not.toHaveProperty(
      'access-control-allow-origin',
    );
    // Before a key names the project, any project's list decides, so a page can read why it failed.
    expect(withCors(response, strict, 'https://blog.example', undefined).headers).toHaveProperty(
      'access-control-allow-origin',
      'https://blog.example',
    );
    expect(withCors(response, strict, undefined, 'shop')).toBe(response);
  });
});
