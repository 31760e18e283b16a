import { describe, expect, it } from 'vitest';
import { forEachBounded } from '../../../core/push/bounded.ts';
import { nextPushStep } from '../../../core/push/push-throttle.ts';

describe('nextPushStep', () => {
  it('pushes when the gate is claimed, waits once for the trailing edge, then leaves it', () => {
    expect(nextPushStep({ claimed: true }, 0)).toEqual({ action: 'push' });
    expect(nextPushStep({ claimed: true }, 1)).toEqual({ action: 'push' });
    expect(nextPushStep({ claimed: false, reopensInMs: 320 }, 0)).toEqual({ action: 'wait', ms: 320 });
    expect(nextPushStep({ claimed: false, reopensInMs: 0 }, 0)).toEqual({ action: 'wait', ms: 1 });
    expect(nextPushStep({ claimed: false, reopensInMs: 320 }, 1)).toEqual({ action: 'skip' });
  });
});

describe('forEachBounded', () => {
  it('never has more than the limit in flight and visits every item once', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachBounded(
      Array.from({ length: 50 }, (_, i) => i),
      7,
      async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, i % 3));
        seen.push(i);
        inFlight--;
      },
    );
    expect(peak).toBe(7);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await expect(forEachBounded([1], 0, async () => undefined)).rejects.toThrow(/limit/);
  });
});
