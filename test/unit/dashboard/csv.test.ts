import { describe, expect, it } from 'vitest';
import { csvFileName, csvText, seriesRows } from '../../../dashboard/src/csv.ts';

describe('a panel as CSV', () => {
  it('writes a header and rows with RFC 4180 quoting and CRLF line ends', () => {
    expect(
      csvText(
        ['source', 'count'],
        [
          ['google', 12],
          ['say "hi", then', 3],
        ],
      ),
    ).toBe('source,count\r\ngoogle,12\r\n"say ""hi"", then",3\r\n');
  });

  it('opens a text that a spreadsheet would run as a formula with an apostrophe, not a number', () => {
    expect(
      csvText(
        ['campaign', 'n'],
        [
          ['=HYPERLINK("x")', -2],
          ['@sum', null],
        ],
      ),
    ).toBe('campaign,n\r\n"\'=HYPERLINK(""x"")",-2\r\n\'@sum,\r\n');
  });

  it("writes a chart's points with UTC times, a gap as an empty cell", () => {
    const rows = seriesRows([1_767_225_600, 1_767_225_610], [{ values: [3, null] }, { values: [1, 2] }]);
    expect(rows).toEqual([
      ['2026-01-01T00:00:00.000Z', 3, 1],
      ['2026-01-01T00:00:10.000Z', null, 2],
    ]);
    expect(csvText(['time', 'a', 'b'], rows)).toBe(
      'time,a,b\r\n2026-01-01T00:00:00.000Z,3,1\r\n2026-01-01T00:00:10.000Z,,2\r\n',
    );
  });

  it('names the file after the panel', () => {
    expect(csvFileName('Top products')).toBe('spate-top-products.csv');
    expect(csvFileName('Funnel (last 30 min)')).toBe('spate-funnel-last-30-min.csv');
    expect(csvFileName('—')).toBe('spate-panel.csv');
  });
});
