import { describe, expect, it } from 'vitest';
import { correctTimestamp } from '../../../core/events/clock-skew.ts';

const received = Date.parse('2024-05-01T12:00:00.000Z');

describe('correctTimestamp', () => {
  it('removes the device clock error measured by sent_at', () => {
    // The device clock runs 2 h fast: it says it sent at 14:00 when we received at 12:00.
    const result = correctTimestamp('2024-05-01T13:59:00.000Z', '2024-05-01T14:00:00.000Z', received);
    expect(result).toEqual({ timestamp: '2024-05-01T11:59:00.000Z', flag: null });
  });

  it('keeps the timestamp when no sent_at is given', () => {
    expect(correctTimestamp('2024-05-01T11:00:00.000Z', undefined, received).timestamp).toBe(
      '2024-05-01T11:00:00.000Z',
    );
  });

  it('writes a UTC time in any other form as toISOString does, so stored times sort as text', () => {
    for (const sent of ['Tue, 30 Apr 2024 10:00 Z', '2024-04-30 10:00:00.000Z', '2024-04-30T10:00Z'])
      expect(correctTimestamp(sent, undefined, received).timestamp, sent).toBe('2024-04-30T10:00:00.000Z');
  });

  it('uses received_at when there is no timestamp', () => {
    expect(correctTimestamp(undefined, undefined, received)).toEqual({
      timestamp: '2024-05-01T12:00:00.000Z',
      flag: null,
    });
  });

  it('replaces and flags timestamps more than 24 h in the future', () => {
    expect(correctTimestamp('2024-05-02T12:00:01.000Z', undefined, received)).toEqual({
      timestamp: '2024-05-01T12:00:00.000Z',
      flag: 'future',
    });
    expect(correctTimestamp('2024-05-02T11:59:00.000Z', undefined, received).flag).toBeNull();
  });

  it('replaces and flags timestamps before 2000', () => {
    expect(correctTimestamp('1999-12-31T23:59:59.000Z', undefined, received)).toEqual({
      timestamp: '2024-05-01T12:00:00.000Z',
      flag: 'before_2000',
    });
  });

  it('checks the range after correction', () => {
    // A device set 30 years back: after correction the event is plausible again.
    const result = correctTimestamp('1994-05-01T11:59:00.000Z', '1994-05-01T12:00:00.000Z', received);
    expect(result).toEqual({ timestamp: '2024-05-01T11:59:00.000Z', flag: null });
  });
});
