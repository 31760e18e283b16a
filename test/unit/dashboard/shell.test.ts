import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterQuery, filtersFromSearch } from '../../../dashboard/src/filters.ts';
import { count, money } from '../../../dashboard/src/format.ts';
import { liveWindowStartMs } from '../../../dashboard/src/live-window.ts';
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

  it("asks for a filtered link's overview with the app's own request, alongside the snapshot", () => {
    const code = /\/\/ filters:start([\s\S]*?)\/\/ filters:end/.exec(html)?.[1];
    if (!code) throw new Error('index.html has no filters:start ... filters:end block');
    const shell = new Function(`${code}; return filterQuery;`)() as (search: string) => string;
    const searches = [
      '',
      '?token=t',
      '?token=t&filter=source:google',
      '?filter=source%3Agoogle&token=t&filter=device:mobile',
      // The last filter of a dimension wins and moves to where it stands, as in the app.
      '?filter=device:mobile&filter=source:google&filter=device:desktop',
      '?filter=prop.plan:pro+plus&filter=page:%2Fcart%3Fa%3D1',
      '?filter=nocolon&filter=:empty&filter=campaign:&api=http://x',
      '?filter=country:%E0%A4%A&filter=referrer:t.co',
    ];
    for (const search of searches) expect(shell(search)).toBe(filterQuery(filtersFromSearch(search)));
    expect(shell('?token=t&filter=country:DE')).toBe('filter=country:DE');

    const overview = html.indexOf("get('/v1/metrics/overview?' + filters + '&from=' + from)");
    expect(overview).toBeGreaterThan(html.indexOf("get('/v1/snapshot')"));
    expect(overview).toBeLessThan(html.indexOf('src="/src/main.tsx"'));
    // Over the app's window (src/live-window.ts): whole minutes, which the hot tier answers.
    const windowCode = /\/\/ window:start([\s\S]*?)\/\/ window:end/.exec(html)?.[1];
    if (!windowCode) throw new Error('index.html has no window:start ... window:end block');
    const start = new Function(`${windowCode}; return liveWindowStartMs;`)() as (nowMs: number) => number;
    const minute = Date.parse('2026-03-29T01:00:00.000Z');
    for (const nowMs of [minute, minute + 1, minute + 59_999, minute + 60_000, minute + 61_234])
      expect(start(nowMs)).toBe(liveWindowStartMs(nowMs));
    expect(liveWindowStartMs(minute + 61_234)).toBe(minute - 4 * 60_000);
    // Painted from the filtered answer, which the app then takes over (src/early-filtered-overview.ts).
    expect(html).toContain('filtered.value = body');
    expect(html).toMatch(/var tiles = filtered\s+\? filtered\.answer/);
  });

  it('formats the numbers with the same results as the app, and as en-US writes them', () => {
    const code = /\/\/ format:start([\s\S]*?)\/\/ format:end/.exec(html)?.[1];
    if (!code) throw new Error('index.html has no format:start ... format:end block');
    const shell = new Function(`${code}; return { count, money };`)() as {
      count: typeof count;
      money: typeof money;
    };
    const numbers = [0, 7, 999, 1000, 12345.5, 1234567, -1234.5, 0.0004, 2.5e9, Number.NaN, 1 / 3];
    for (const n of numbers) expect(shell.count(n)).toBe(count(n));
    for (const n of numbers.filter(Number.isFinite)) expect(count(n)).toBe(n.toLocaleString('en-US'));
    const revenues = [{}, { USD: 1234.567 }, { EUR: 12.1, USD: 9999.999 }, { GBP: 0.5, USD: 1e6 }];
    for (const r of revenues) expect(shell.money(r)).toBe(money(r));
    expect(money({ EUR: 12.1, USD: 1234.567 })).toBe('1,234.57 USD · 12.1 EUR');
    expect(shell.count(undefined)).toBe('—');
  });

  it('holds the shell back until the numbers are in it, for 150 ms at most', () => {
    expect(html).toContain("html.classList.add('awaiting-numbers')");
    expect(html).toContain('setTimeout(window.__spateReveal, 150)');
    expect(html).toContain('numbersPainted.catch(window.__spateReveal)');
  });
});
