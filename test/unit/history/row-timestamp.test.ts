import { describe, expect, it } from 'vitest';
import { rowTimestamp } from '../../../core/history/row-timestamp.ts';

const ok = (timestamp: string) => ({ ok: true, timestamp });

describe('rowTimestamp', () => {
  it('reads ISO 8601 with a zone or an offset as that instant', () => {
    expect(rowTimestamp('2016-03-01T10:15:00Z')).toEqual(ok('2016-03-01T10:15:00.000Z'));
    expect(rowTimestamp('2016-03-01T10:15:00+02:00')).toEqual(ok('2016-03-01T08:15:00.000Z'));
    expect(rowTimestamp('2016-03-01T10:15:00-0530')).toEqual(ok('2016-03-01T15:45:00.000Z'));
    expect(rowTimestamp('2016-03-01T23:30:00-02:00')).toEqual(ok('2016-03-02T01:30:00.000Z'));
  });

  it('reads a time without a zone as UTC, whatever the zone of the machine', () => {
    expect(rowTimestamp('2016-03-01 10:15:00')).toEqual(ok('2016-03-01T10:15:00.000Z'));
    expect(rowTimestamp('2016-03-01T10:15')).toEqual(ok('2016-03-01T10:15:00.000Z'));
    expect(rowTimestamp('2016-03-01')).toEqual(ok('2016-03-01T00:00:00.000Z'));
  });

  it('keeps milliseconds of any number of fraction digits (PostHog writes microseconds)', () => {
    expect(rowTimestamp('2023-06-01 10:00:00.123456')).toEqual(ok('2023-06-01T10:00:00.123Z'));
    expect(rowTimestamp('2023-06-01T10:00:00.5Z')).toEqual(ok('2023-06-01T10:00:00.500Z'));
  });

  it('reads epoch seconds and milliseconds, as numbers or digits', () => {
    expect(rowTimestamp(1456827300)).toEqual(ok('2016-03-01T10:15:00.000Z'));
    expect(rowTimestamp('1456827300')).toEqual(ok('2016-03-01T10:15:00.000Z'));
    expect(rowTimestamp('1456827300123')).toEqual(ok('2016-03-01T10:15:00.123Z'));
    expect(rowTimestamp(1456827300.5)).toEqual(ok('2016-03-01T10:15:00.500Z'));
  });

  it('keeps times before 1970 for the API to judge', () => {
    expect(rowTimestamp('1969-07-20T20:17:00Z')).toEqual(ok('1969-07-20T20:17:00.000Z'));
  });

  it('refuses what is not a date, naming the text', () => {
    for (const bad of ['yesterday', '2016-02-30T00:00:00Z', '2016-13-01', '03/01/2016', '', true, null]) {
      const time = rowTimestamp(bad);
      expect(time.ok, String(bad)).toBe(false);
    }
    expect(rowTimestamp('yesterday')).toEqual({
      ok: false,
      message: 'timestamp "yesterday" is not a date-time',
    });
  });
});
