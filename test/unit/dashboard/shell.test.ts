import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADLINE_TILES } from '../../../dashboard/src/tiles.ts';

const html = readFileSync(join(import.meta.dirname, '..', '..', '..', 'dashboard', 'index.html'), 'utf8');

describe('dashboard shell', () => {
  it('carries the app headline tiles in the same order, keys, formats and test ids', () => {
    const tiles = [
      ...html.matchAll(
        /<div class="tile-label">([^<]+)<\/div><div class="tile-value"((?: data-[a-z]+="[^"]*")+)>/g,
      ),
    ].map(([, label, attrs]) => {
      const attr = (name: string) => new RegExp(`data-${name}="([^"]*)"`).exec(attrs ?? '')?.[1];
      const testId = attr('testid');
      return { label, key: attr('key'), format: attr('format'), ...(testId ? { testId } : {}) };
    });
    expect(tiles).toEqual(HEADLINE_TILES.map((t) => ({ ...t })));
  });

  it('starts the snapshot before the app script and fills the tiles from it', () => {
    const snapshot = html.indexOf("'/v1/snapshot'");
    const app = html.indexOf('src="/src/main.tsx"');
    expect(snapshot).toBeGreaterThan(0);
    expect(snapshot).toBeLessThan(app);
    expect(html).toContain('window.__spateSnapshotValue = body');
    expect(html).toContain("performance.mark('spate:first-numbers')");
  });
});
