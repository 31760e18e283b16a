/** The figures of one tier's questions (bench/query/breakdown-speed.ts). */
export interface TierTimings {
  readonly label: string;
  readonly queries: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** Every answer checked (events by country) matched the generated events. */
  readonly exact: boolean;
  readonly tiers: readonly string[];
  readonly degraded: readonly string[];
  /** Questions that a tier other than the one named answered (metric by dimension). */
  readonly answeredElsewhere: readonly string[];
  /** The questions whose slowest answers were slowest: what makes the tail. */
  readonly slowest: readonly { readonly question: string; readonly maxMs: number }[];
}

export interface BreakdownSpeedResults {
  readonly at: string;
  readonly events: number;
  readonly loadSeconds: number;
  readonly archive: {
    readonly objectsBefore: number;
    readonly objectsAfter: number;
    readonly compactSeconds: number;
    /** The nightly compaction run again before the questions, on a month loaded earlier. */
    readonly rerun?: { readonly summarized: number; readonly seconds: number };
  };
  readonly liveEventsPerMinute: number;
  readonly tiers: readonly TierTimings[];
}

/** The issue's targets, p95 per tier, by the label's first word. */
const TARGET_MS: Readonly<Record<string, number>> = { hot: 50, warm: 300, cold: 3000 };

/** REPORT.md from a run's results: nothing in it is written by hand. */
export function breakdownReportMd(r: BreakdownSpeedResults, args: readonly string[]): string {
  const targetOf = (t: TierTimings) => TARGET_MS[t.label.split(':')[0]!]!;
  const verdict = (t: TierTimings) => (t.p95Ms < targetOf(t) ? 'met' : 'missed');
  return `# Breakdown speed over a month of traffic

\`npx tsx bench/query/breakdown-speed.ts ${args.join(' ')}\` at ${r.at} on the project's 2-core
development machine: chDB, s3rver and redis-server started by the bench, the query routes behind
the local gateway, every request timed at the client with the query cache off (every answer is
computed). What the bench loads and asks is described at the top of
\`bench/query/breakdown-speed.ts\`.

- ${r.events.toLocaleString('en-US')} events of seeded shop traffic over 30 days, through the warehouse and
  archive functions in batches of 20,000 in ${r.loadSeconds} s, then ${r.liveEventsPerMinute} a minute live for
  ten minutes through the realtime function too;
- the archive compacted as the nightly job would: ${r.archive.objectsBefore} objects became
  ${r.archive.objectsAfter} in ${r.archive.compactSeconds} s${
    r.archive.rerun
      ? `;
- the month loaded by an earlier run: the nightly compaction run again before the questions gave
  ${r.archive.rerun.summarized} compacted objects their day breakdowns in ${r.archive.rerun.seconds} s.`
      : ', with the day breakdowns of each object it made.'
  }

## Targets (p95)
${r.tiers
  .map((t) => `- ${t.label}: **${verdict(t)}** (${t.p95Ms} ms, target < ${targetOf(t)} ms)`)
  .join('\n')}

## Results
| questions | queries | p50 ms | p95 ms | max ms | tiers that answered | degraded | exact |
|---|---:|---:|---:|---:|---|---|---|
${r.tiers
  .map(
    (t) =>
      `| ${t.label} | ${t.queries} | ${t.p50Ms} | ${t.p95Ms} | ${t.maxMs} | ${t.tiers.join(', ')} | ${t.degraded.length === 0 ? 'none' : t.degraded.join(', ')} | ${t.exact ? 'yes' : 'no'} |`,
  )
  .join('\n')}

"exact": events by country matched the generated events exactly.

Slowest questions (each question's slowest answer):
${r.tiers.map((t) => `- ${t.label}: ${t.slowest.map((q) => `${q.question} ${q.maxMs} ms`).join(', ')}`).join('\n')}
${r.tiers
  .filter((t) => t.answeredElsewhere.length > 0)
  .map(
    (t) =>
      `- ${t.label}: answered by the next tier, as the hot tier's bound (50 values a minute) had overflowed: ${t.answeredElsewhere.join(', ')}.`,
  )
  .join('\n')}
`;
}
