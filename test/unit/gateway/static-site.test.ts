import { describe, expect, it } from 'vitest';
import { cacheControlOf, contentTypeOf, resolveUnderRoot } from '../../../local/gateway/static-site.ts';

describe('static files', () => {
  it('keeps resolved paths inside the root', () => {
    expect(resolveUnderRoot('/srv/site', '/assets/a.js')).toBe('/srv/site/assets/a.js');
    expect(resolveUnderRoot('/srv/site', '/../etc/passwd')).toBe('/srv/site/etc/passwd');
    expect(resolveUnderRoot('/srv/site', '/..%2f..%2fetc%2fpasswd')).toBe('/srv/site/etc/passwd');
    expect(resolveUnderRoot('/srv/site', 'a/../../etc')).toBeUndefined();
    expect(resolveUnderRoot('/srv/site', '/%E0%A4%A')).toBeUndefined();
  });

  it('caches hashed assets forever and HTML never', () => {
    expect(cacheControlOf('/x/assets/index-3f2a9c1b.js')).toContain('immutable');
    expect(cacheControlOf('/x/assets/chunk.a1b2c3d4e5.css')).toContain('immutable');
    expect(cacheControlOf('/x/index.html')).toBe('no-cache');
    expect(cacheControlOf('/x/favicon.svg')).not.toContain('immutable');
    expect(contentTypeOf('a.woff2')).toBe('font/woff2');
    expect(contentTypeOf('a.unknown')).toBe('application/octet-stream');
  });
});
