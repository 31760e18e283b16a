import type { ImportProgress, ImportReport } from './import-run.ts';
import type { ReasonCount } from './import-tally.ts';

const n = (v: number) => v.toLocaleString('en-US');

/** One progress line: a bar when the file's size is known, then the counts and the rate. */
export function progressLine(p: ImportProgress, width = 24): string {
  const t = p.totals;
  const rate = p.elapsedMs > 0 ? Math.round((p.runRows / p.elapsedMs) * 1000) : 0;
  let head = '';
  if (p.fileBytes !== undefined && p.fileBytes > 0) {
    const share = Math.min(1, p.offset / p.fileBytes);
    const filled = Math.round(share * width);
    head = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  `;
  }
  return (
    `${head}rows ${n(t.rows)}  sent ${n(t.sent)}  accepted ${n(t.accepted)}  rejected ${n(t.rejected)}  ` +
    `skipped ${n(t.skipped)}  ${n(rate)} rows/s`
  );
}

/** The summary a person reads at the end. */
export function renderSummary(r: ImportReport): string {
  const t = r.totals;
  const lines = [`${headline(r)}`];
  if (r.resumedFrom && r.outcome !== 'already-done')
    lines.push(`  resumed after line ${n(r.resumedFrom.line)} (state ${r.statePath})`);
  lines.push(
    `  rows read   ${n(t.rows).padStart(10)}`,
    `  sent        ${n(t.sent).padStart(10)}`,
    `  accepted    ${n(t.accepted).padStart(10)}`,
    `  rejected    ${n(t.rejected).padStart(10)}`,
    ...reasons(t.rejections),
    `  clamped     ${n(t.clamped).padStart(10)}${t.clamped > 0 ? '  (accepted, time set to when received)' : ''}`,
    ...reasons(t.clamps),
    `  skipped     ${n(t.skipped).padStart(10)}${t.skipped > 0 ? '  (not mapped to an event, not sent)' : ''}`,
    ...reasons(t.skips),
    `  elapsed     ${(r.run.elapsedMs / 1000).toFixed(1).padStart(10)} s  (this run: ${n(r.run.rows)} rows, ${n(r.run.sent)} sent)`,
  );
  if (r.outcome === 'aborted' || r.outcome === 'interrupted')
    lines.push(`  run the same command again to go on after line ${n(r.position.line)}`);
  if (t.rejected > 0) lines.push('  rejected events are kept on events.dlq: `npx spate dlq` lists them');
  return `${lines.join('\n')}\n`;
}

/** The summary as one JSON object (`--json`). */
export function summaryJson(r: ImportReport): string {
  const t = r.totals;
  const byReason = (list: readonly ReasonCount[]) =>
    list.map((x) => ({ field: x.field, rule: x.rule, count: x.count, samples: x.samples }));
  return `${JSON.stringify({
    file: r.file,
    format: r.format,
    endpoint: r.endpoint,
    outcome: r.outcome,
    ...(r.abortReason !== undefined ? { abort_reason: r.abortReason } : {}),
    resumed_after_line: r.resumedFrom?.line ?? null,
    rows: t.rows,
    sent: t.sent,
    accepted: t.accepted,
    rejected: t.rejected,
    rejected_by_reason: byReason(t.rejections),
    clamped: t.clamped,
    clamped_samples: t.clamps.flatMap((c) => c.samples),
    skipped: t.skipped,
    skipped_by_reason: byReason(t.skips),
    elapsed_s: Math.round(r.run.elapsedMs) / 1000,
    run: r.run,
    state: r.statePath,
    position: r.position,
  })}\n`;
}

function headline(r: ImportReport): string {
  const target = `${r.file} (${r.format}) to ${r.endpoint}/v1/import`;
  switch (r.outcome) {
    case 'complete':
      return `imported ${target}`;
    case 'already-done':
      return `nothing to import: ${r.file} was imported before (state ${r.statePath}; --restart sends it again)`;
    case 'interrupted':
      return `interrupted importing ${target}`;
    case 'aborted':
      return `stopped importing ${target}: ${r.abortReason}`;
  }
}

function reasons(list: readonly ReasonCount[]): string[] {
  return [...list]
    .sort((a, b) => b.count - a.count)
    .flatMap((x) => [
      `    ${`${x.field} ${x.rule}`.padEnd(28)} ${n(x.count).padStart(8)}`,
      ...x.samples.slice(0, 3).map((s) => `      line ${n(s.line)}: ${s.message}`),
    ]);
}

/** The exit status: 0 all rows in, 1 some rejected or skipped, 3 stopped (a re-run goes on), 130 Ctrl-C. */
export function exitCode(r: ImportReport): number {
  if (r.outcome === 'interrupted') return 130;
  if (r.outcome === 'aborted') return 3;
  return r.totals.rejected > 0 || r.totals.skipped > 0 ? 1 : 0;
}
