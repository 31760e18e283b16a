import type { DlqListing, DlqReplayReport } from '../lambdas/replay-dlq.ts';
import type { ReasonCount } from '../lambdas/replay-dlq-summary.ts';

/** `spate dlq` as text: totals, then each reason with its counts and samples. */
export function renderListing({ summary }: DlqListing): string {
  if (summary.total === 0) return 'events.dlq is empty: no event has been rejected (or all have expired).\n';
  const lines = [
    `events.dlq: ${summary.total} rejected, ${summary.pending} not replayed yet, ` +
      `${summary.passNow} of those pass validation now (spate dlq replay sends them)`,
    '',
  ];
  for (const reason of summary.reasons()) lines.push(...reasonLines(reason, true));
  return `${lines.join('\n')}\n`;
}

/** `spate dlq replay` as text: what was written, what is still refused, where the replay stands. */
export function renderReplay(report: DlqReplayReport): string {
  const lines = [
    report.read === 0
      ? 'nothing to replay: every letter on events.dlq has been replayed before'
      : `replayed ${report.replayed} of ${report.read} rejected events (${report.written} records written); ` +
        `${report.stillRefused.total} still refused, left on events.dlq and not retried`,
  ];
  if (report.stillRefused.total > 0) {
    lines.push('');
    for (const reason of report.stillRefused.reasons()) lines.push(...reasonLines(reason, false));
  }
  const marks = [...report.committed].map(([partition, offset]) => `partition ${partition} at ${offset}`);
  if (marks.length > 0) lines.push('', `replayed up to: ${marks.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function reasonLines(reason: ReasonCount, withPending: boolean): string[] {
  const counts = withPending
    ? `${reason.count} (${reason.pending} not replayed, ${reason.passNow} pass now)`
    : String(reason.count);
  const lines = [`${reason.reason}: ${counts}`];
  for (const s of reason.samples) {
    lines.push(`  @${s.partition}:${s.offset} ${s.receivedAt} ${s.project} ${s.route}: ${s.message}`);
    lines.push(`    ${s.payload}`);
  }
  lines.push('');
  return lines;
}
