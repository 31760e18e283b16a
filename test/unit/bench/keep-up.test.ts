import { describe, expect, it } from 'vitest';
import { drainAllowanceMs, EVENTS_RAW_GROUPS, judgeTrend, lagSlope } from '../../../bench/e2e/keep-up.ts';

/** Lag samples twice a second over 10 s, from a function of the time in seconds. */
const samples = (lagAt: (s: number) => number) =>
  Array.from({ length: 20 }, (_, i) => ({ t: 10_000 + i * 500, lag: lagAt(i / 2) }));

describe('keep-up rule of the step-up', () => {
  it('measures the lag slope in records per second', () => {
    expect(lagSlope(samples((s) => 300 + 120 * s))).toBeCloseTo(120, 6);
    expect(lagSlope(samples(() => 800))).toBe(0);
    expect(lagSlope([{ t: 0, lag: 5 }])).toBe(0);
  });

  it('passes a hot group whose lag saws up and down around a level', () => {
    const verdict = judgeTrend(
      samples((s) => (s % 1 === 0 ? 900 : 100)),
      2000,
    );
    expect(verdict.keeps_up).toBe(true);
    expect(verdict.mean_lag).toBe(500);
  });

  it('fails a group whose lag grows by a quarter of the rate per second or more', () => {
    expect(
      judgeTrend(
        samples((s) => 500 * s),
        2000,
      ),
    ).toMatchObject({ slope_per_s: 500, keeps_up: false });
    expect(
      judgeTrend(
        samples((s) => 499 * s),
        2000,
      ).keeps_up,
    ).toBe(true);
  });

  it('fails a group that stays five seconds or more of traffic behind, even without growing', () => {
    expect(
      judgeTrend(
        samples(() => 10_000),
        2000,
      ).keeps_up,
    ).toBe(false);
    expect(
      judgeTrend(
        samples(() => 9_999),
        2000,
      ).keeps_up,
    ).toBe(true);
  });

  it('lets a drain group take its batching window, a quarter of the step and 3 s to empty', () => {
    expect(drainAllowanceMs(10_000, 20)).toBe(18_000);
    expect(drainAllowanceMs(0, 8)).toBe(5_000);
  });

  it('judges the warm and cold loaders by their drain and every other group by its trend', () => {
    const judge = Object.fromEntries(EVENTS_RAW_GROUPS.map((g) => [g.groupId, g.judge]));
    expect(judge).toMatchObject({
      'spate-realtime': 'trend',
      'spate-broadcast': 'trend',
      'spate-warehouse': 'drain',
      'spate-archive': 'drain',
    });
    expect(EVENTS_RAW_GROUPS.find((g) => g.groupId === 'spate-broadcast')?.fromLatest).toBe(true);
  });
});
