import { describe, expect, it } from 'vitest';
import {
  addTotals,
  countReason,
  emptyTotals,
  SAMPLES_PER_REASON,
  totalsFrom,
} from '../../../bin/import/import-tally.ts';

describe('import totals', () => {
  it('counts rows by reason, keeping a few lines as samples', () => {
    const t = emptyTotals();
    for (let line = 1; line <= 8; line += 1)
      countReason(t.rejections, 'timestamp', 'minimum', line, `line ${line}`);
    countReason(t.rejections, 'userId', 'required', 9, 'no user');
    expect(t.rejections.map((r) => [r.field, r.rule, r.count, r.samples.length])).toEqual([
      ['timestamp', 'minimum', 8, SAMPLES_PER_REASON],
      ['userId', 'required', 1, 1],
    ]);
  });

  it('adds runs together: counts summed, samples merged in line order', () => {
    const first = emptyTotals();
    first.rows = 10;
    first.accepted = 9;
    first.rejected = 1;
    countReason(first.rejections, 'timestamp', 'minimum', 40, 'b');
    const second = emptyTotals();
    second.rows = 5;
    second.accepted = 4;
    second.rejected = 1;
    countReason(second.rejections, 'timestamp', 'minimum', 3, 'a');
    countReason(second.skips, '$', 'json', 7, 'c');
    second.skipped = 1;
    const sum = addTotals(addTotals(emptyTotals(), first), second);
    expect(sum).toMatchObject({ rows: 15, accepted: 13, rejected: 2, skipped: 1 });
    expect(sum.rejections).toEqual([
      {
        field: 'timestamp',
        rule: 'minimum',
        count: 2,
        samples: [
          { line: 3, message: 'a' },
          { line: 40, message: 'b' },
        ],
      },
    ]);
    expect(first.rejections[0]?.count).toBe(1);
  });

  it('reads totals back from a state file, and nothing else', () => {
    const t = emptyTotals();
    t.rows = 3;
    expect(totalsFrom(JSON.parse(JSON.stringify(t)))).toEqual(t);
    expect(totalsFrom({ rows: 'three' })).toBeUndefined();
    expect(totalsFrom(null)).toBeUndefined();
  });
});
