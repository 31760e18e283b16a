import { describe, expect, it } from 'vitest';
import {
  authenticate,
  hashWriteKey,
  parseWriteKeySet,
  writeKeyFromHeaders,
} from '../../../core/auth/write-keys.ts';

const keys = parseWriteKeySet(
  JSON.stringify({
    shop: hashWriteKey('wk_shop'),
    blog: [hashWriteKey('wk_blog'), hashWriteKey('wk_blog2')],
  }),
);

describe('write keys', () => {
  it('reads the key from Bearer, x-api-key and Segment Basic auth', () => {
    expect(writeKeyFromHeaders({ authorization: 'Bearer wk_shop' })).toBe('wk_shop');
    expect(writeKeyFromHeaders({ 'x-api-key': 'wk_shop' })).toBe('wk_shop');
    const basic = Buffer.from('wk_shop:').toString('base64');
    expect(writeKeyFromHeaders({ authorization: `Basic ${basic}` })).toBe('wk_shop');
    expect(writeKeyFromHeaders({})).toBeUndefined();
    expect(writeKeyFromHeaders({ authorization: 'Digest abc' })).toBeUndefined();
  });

  it('maps a known key to its project, with several keys per project for rotation', () => {
    expect(authenticate('wk_shop', keys)).toEqual({
      project: 'shop',
      keyId: hashWriteKey('wk_shop').slice(0, 12),
    });
    expect(authenticate('wk_blog2', keys).project).toBe('blog');
  });

  it('answers 401 for a missing or unknown key', () => {
    expect(() => authenticate(undefined, keys)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => authenticate('wk_nope', keys)).toThrow(
      expect.objectContaining({ status: 401, message: 'unknown write key' }),
    );
  });

  it('refuses a key set that is not project -> sha256 hex, naming the field', () => {
    expect(() => parseWriteKeySet('nope')).toThrow(/SPATE_WRITE_KEYS must be JSON/);
    expect(() => parseWriteKeySet('{"shop":"plaintext"}')).toThrow(
      /SPATE_WRITE_KEYS\.shop must be a 64-character sha256/,
    );
  });

  it('stores hashes only', () => {
    expect([...keys.keys()].every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    expect([...keys.keys()]).not.toContain('wk_shop');
  });
});
