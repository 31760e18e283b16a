import { describe, expect, it } from 'vitest';
import { forEachBounded } from '../../../core/push/bounded.ts';
import { nextPushStep } from '../../../core/push/push-throttle.ts';

describe('nextPushStep', () => {
  it('pushes when the gate is claimed, and waits for the trailing edge with a margin', () => {
    expect(nextPushStep({ claimed: true }, 0)).toEqual({ action: 'push' });
    expect(nextPushStep({ claimed: true }, 1)).toEqual({ action: 'push' });
    expect(nextPushStep({ claimed: false, reopensInMs: 320 }, 0)).toEqual({ action: 'wait', ms: 322 });
    expect(nextPushStep({ claimed: false, reopensInMs: 0 }, 0)).toEqual({ action: 'wait', ms: 2 });
  });

  it('waits again when the interval it waited for is not quite over (a timer fired early)', () => {
    expect(nextPushStep({ claimed: false, reopensInMs: 1 }, 1, 500)).toEqual({ action: 'wait', ms: 3 });
    expect(nextPushStep({ claimed: false, reopensInMs: 0 }, 2, 500)).toEqual({ action: 'wait', ms: 2 });
  });

  it('leaves the channel to an invocation that claimed the next interval, and gives up after three tries', () => {
    expect(nextPushStep({ claimed: false, reopensInMs: 480 }, 1, 500)).toEqual({ action: 'skip' });
    expect(nextPushStep({ claimed: false, reopensInMs: 250 }, 1, 500)).toEqual({ action: 'skip' });
    expect(nextPushStep({ claimed: false, reopensInMs: 1 }, 3, 500)).toEqual({ action: 'skip' });
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
