import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dashboardContentSecurityPolicy,
  inlineScriptHashes,
} from '../../../core/dashboard/content-security-policy.ts';

describe('dashboard Content-Security-Policy', () => {
  it('hashes an inline script as CSP does (the example in the CSP specification)', () => {
    expect(inlineScriptHashes("<script>alert('Hello, world.');</script>")).toEqual([
      "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='",
    ]);
  });

  it('hashes every inline script in document order, and none that has a src', () => {
    const html = [
      '<script>a()</script>',
      '<script type="spate/app" crossorigin src="./assets/index.js"></script>',
      '<SCRIPT type="module">b()</SCRIPT >',
    ].join('\n');
    expect(inlineScriptHashes(html)).toEqual([
      ...inlineScriptHashes('<script>a()</script>'),
      ...inlineScriptHashes('<script>b()</script>'),
    ]);
  });

  it('hashes the text the parser sees: CRLF line ends count as LF', () => {
    expect(inlineScriptHashes('<script>a();\r\nb();</script>')).toEqual(
      inlineScriptHashes('<script>a();\nb();</script>'),
    );
  });

  it("allows the source index.html's inline scripts and the given connect sources, and no inline script else", () => {
    const html = readFileSync(join(import.meta.dirname, '..', '..', '..', 'dashboard', 'index.html'), 'utf8');
    const policy = dashboardContentSecurityPolicy(html, { connectSources: ['wss://*.amazonaws.com'] });
    const directives = new Map(
      policy.split('; ').map((d) => [d.slice(0, d.indexOf(' ')), d.slice(d.indexOf(' ') + 1)]),
    );
    expect(directives.get('script-src')?.split(' ')).toEqual(["'self'", ...inlineScriptHashes(html)]);
    expect(inlineScriptHashes(html)).toHaveLength(2);
    expect(directives.get('script-src')).not.toContain('unsafe-inline');
    expect(directives.get('connect-src')).toBe("'self' wss://*.amazonaws.com");
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
  });
});
