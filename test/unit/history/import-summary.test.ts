import { describe, expect, it } from 'vitest';
import type { ImportReport } from '../../../bin/import/import-run.ts';
import { exitCode, progressLine, renderSummary, summaryJson } from '../../../bin/import/import-summary.ts';
import { countReason, emptyTotals } from '../../../bin/import/import-tally.ts';

function report(outcome: ImportReport['outcome'], rejected = 0, skipped = 0): ImportReport {
  const totals = {
    ...emptyTotals(),
    rows: 10 + skipped,
    sent: 10,
    accepted: 10 - rejected,
    rejected,
    skipped,
  };
  if (rejected) countReason(totals.rejections, 'timestamp', 'minimum', 4, 'too early', rejected);
  if (skipped)
    countReason(totals.skips, 'timestamp', 'format', 7, 'timestamp "x" is not a date-time', skipped);
  return {
    file: 'orders.csv',
    format: 'csv',
    endpoint: 'http://127.0.0.1:4680',
    statePath: 'orders.csv.spate-import.json',
    outcome,
    ...(outcome === 'aborted' ? { abortReason: 'gave up' } : {}),
    resumedFrom: { offset: 100, line: 5 },
    position: { offset: 200, line: 11 },
    totals,
    run: { rows: 6, sent: 6, accepted: 6, elapsedMs: 1500 },
  };
}

describe('the import summary', () => {
  it('says rows, sent, accepted, rejected and skipped by reason with lines, and the time', () => {
    const text = renderSummary(report('complete', 2, 1));
    expect(text).toMatch(/^imported orders\.csv \(csv\) to http:\/\/127\.0\.0\.1:4680\/v1\/import/);
    expect(text).toContain('resumed after line 5');
    expect(text).toMatch(/rejected\s+2\n\s+timestamp minimum\s+2\n\s+line 4: too early/);
    expect(text).toMatch(/skipped\s+1 {2}\(not mapped/);
    expect(text).toContain('line 7: timestamp "x" is not a date-time');
    expect(text).toMatch(/elapsed\s+1\.5 s/);
  });

  it('tells how to go on when it stopped', () => {
    expect(renderSummary(report('aborted'))).toMatch(
      /^stopped importing .*: gave up[\s\S]*go on after line 11/,
    );
  });

  it('prints one JSON object with the counts by reason', () => {
    const json = JSON.parse(summaryJson(report('complete', 2)));
    expect(json).toMatchObject({
      outcome: 'complete',
      rows: 10,
      accepted: 8,
      rejected: 2,
      rejected_by_reason: [{ field: 'timestamp', rule: 'minimum', count: 2, samples: [{ line: 4 }] }],
      resumed_after_line: 5,
      elapsed_s: 1.5,
    });
  });

  it('exits 0 when all went in, 1 when rows were rejected or skipped, 3 when stopped, 130 on Ctrl-C', () => {
    expect(exitCode(report('complete'))).toBe(0);
    expect(exitCode(report('already-done'))).toBe(0);
    expect(exitCode(report('complete', 1))).toBe(1);
    expect(exitCode(report('complete', 0, 1))).toBe(1);
    expect(exitCode(report('aborted'))).toBe(3);
    expect(exitCode(report('interrupted'))).toBe(130);
  });
});

describe('the progress line', () => {
  it('has a bar when the size is known, then the counts and the rate', () => {
    const totals = { ...emptyTotals(), rows: 5000, sent: 4000, accepted: 3990, rejected: 10 };
    const progress = { totals, inFlight: 2, offset: 500, fileBytes: 1000, runRows: 5000, elapsedMs: 2000 };
    expect(progressLine(progress, 10)).toBe(
      '[#####-----]  50%  rows 5,000  sent 4,000  accepted 3,990  rejected 10  skipped 0  2,500 rows/s',
    );
    expect(progressLine({ ...progress, fileBytes: undefined })).toMatch(/^rows 5,000/);
  });
});
