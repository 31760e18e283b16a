import { describe, expect, it } from 'vitest';
import { timeLabel } from '../../../dashboard/src/time-label.ts';

// Local times, as the reader's clock shows them: built from local fields, so any TZ gives the
// same labels. Days in January, far from every zone's clock changes.
const at = (day: number, h: number, m: number, s = 0) => new Date(2026, 0, day, h, m, s).getTime() / 1000;

describe('the time axis labels', () => {
  it('shows seconds alone between whole minutes when ticks are seconds apart', () => {
    expect(timeLabel(at(20, 6, 27, 15), 15)).toBe(':15');
    expect(timeLabel(at(20, 6, 28), 15)).toBe('06:28');
  });

  it('shows the time when ticks are minutes or hours apart, and the day at midnight', () => {
    expect(timeLabel(at(20, 6, 5), 300)).toBe('06:05');
    expect(timeLabel(at(20, 18, 0), 3600)).toBe('18:00');
    expect(timeLabel(at(21, 0, 0), 3600)).toBe('21 Jan');
  });

  it('shows the day when ticks are days apart', () => {
    expect(timeLabel(at(9, 0, 0), 86_400)).toBe('9 Jan');
    expect(timeLabel(at(9, 12, 0), 2 * 86_400)).toBe('9 Jan');
  });
});
