import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitWholeDays } from '../../../core/query/whole-days.ts';

const DAY_MS = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe('splitWholeDays', () => {
  it('cuts a range at UTC midnights: whole days, and the pieces at either end', () => {
    expect(splitWholeDays(at('2026-03-01T13:00:00Z'), at('2026-03-04T07:30:00Z'))).toEqual({
      days: { fromDay: '2026-03-02', toDay: '2026-03-04' },
      edges: [
        { fromMs: at('2026-03-01T13:00:00Z'), toMs: at('2026-03-02T00:00:00Z') },
        { fromMs: at('2026-03-04T00:00:00Z'), toMs: at('2026-03-04T07:30:00Z') },
      ],
    });
  });

  it('has no edges for a range of whole days, and no days for a range inside one', () => {
    expect(splitWholeDays(at('2026-03-01T00:00:00Z'), at('2026-03-03T00:00:00Z'))).toEqual({
      days: { fromDay: '2026-03-01', toDay: '2026-03-03' },
      edges: [],
    });
    const inside = { fromMs: at('2026-03-01T01:00:00Z'), toMs: at('2026-03-01T23:00:00Z') };
    expect(splitWholeDays(inside.fromMs, inside.toMs)).toEqual({ edges: [inside] });
    expect(splitWholeDays(inside.toMs, inside.toMs)).toEqual({ edges: [] });
  });

  it('covers the range exactly once, whatever it is', () => {
    const ms = fc.integer({ min: at('2000-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') });
    fc.assert(
      fc.property(ms, fc.integer({ min: 0, max: 90 * DAY_MS }), (fromMs, length) => {
        const toMs = fromMs + length;
        const split = splitWholeDays(fromMs, toMs);
        const pieces = [...split.edges];
        if (split.days)
          pieces.push({ fromMs: Date.parse(split.days.fromDay), toMs: Date.parse(split.days.toDay) });
        pieces.sort((a, b) => a.fromMs - b.fromMs);
        expect(pieces.every((p) => p.fromMs < p.toMs)).toBe(true);
        expect(pieces.reduce((sum, p) => sum + (p.toMs - p.fromMs), 0)).toBe(length);
        for (const [i, p] of pieces.entries()) expect(p.fromMs).toBe(i === 0 ? fromMs : pieces[i - 1]!.toMs);
        if (split.days) expect(Date.parse(split.days.fromDay) % DAY_MS).toBe(0);
      }),
    );
  });
});
