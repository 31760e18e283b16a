/** bench/REPORT.md from report.json: the figures, and which stage limits where a target is missed. */
export function benchMarkdown(r: Record<string, unknown>): string {
  const get = <T>(k: string) => r[k] as T;
  const stages = get<Record<string, number>>('stage_limits');
  const spike = get<Record<string, number>>('spike');
  const latency = get<{ at_sustained: Record<string, number>; at_half: Record<string, number> }>('latency');
  const nlp = get<Record<string, number | null>>('nlp_tweets_per_s');
  const machine = get<Record<string, unknown>>('machine');
  const sustained = get<number>('sustained_events_per_s');
  const ratio = get<number>('ratio_to_slowest_stage');
  const targets = [
    `- sustained ≥ 50,000 events/s: **${sustained >= 50_000 ? 'met' : 'missed'}** (${sustained}/s)`,
    `- p99 event -> dashboard < 1 s at 50%: **${latency.at_half.p99_ms! < 1000 ? 'met' : 'missed'}** (${latency.at_half.p99_ms} ms, event -> counted in Redis)`,
    `- ratio to the slowest stage ≥ 0.5: **${ratio >= 0.5 ? 'met' : 'missed'}** (${ratio}, slowest: ${get<string>('slowest_stage')})`,
    `- 10x spike loses nothing: **${spike.lost === 0 && spike.duplicated === 0 ? 'met' : 'missed'}** (lost ${spike.lost}, double-counted ${spike.duplicated})`,
  ];
  return `# End-to-end benchmark

\`npx spate bench${get<boolean>('quick') ? ' --quick' : ''}\` on ${machine.cores} cores (${machine.cpu}), ${machine.memory_gib} GiB, everything of
\`spate local\` on the same machine, at ${get<string>('at')}. Stage limits are medians of the runs listed in report.json.

## Targets
${targets.join('\n')}

## Stage limits (side by side, same run)
| stage | rate |
|---|---:|
${Object.entries(stages)
  .map(([k, v]) => `| ${k} | ${v} |`)
  .join('\n')}

## Step-up (spate load through the gateway)
| target/s | accepted/s | lag after | keeps up |
|---:|---:|---:|---|
${get<Array<Record<string, unknown>>>('steps')
  .map((s) => `| ${s.target} | ${s.accepted_per_s} | ${s.end_lag} | ${s.keeps_up ? 'yes' : 'no'} |`)
  .join('\n')}

Sustained: **${sustained} events/s**; ratio to the slowest stage: **${ratio}**.

## Latency, event sent -> counted in Redis
The push path is not timed yet: these are the numbers the dashboard reads, not frames received.

| load | p50 ms | p95 ms | p99 ms | samples |
|---|---:|---:|---:|---:|
| ${latency.at_sustained.rate}/s (sustained) | ${latency.at_sustained.p50_ms} | ${latency.at_sustained.p95_ms} | ${latency.at_sustained.p99_ms} | ${latency.at_sustained.samples} |
| ${latency.at_half.rate}/s (50%) | ${latency.at_half.p50_ms} | ${latency.at_half.p95_ms} | ${latency.at_half.p99_ms} | ${latency.at_half.samples} |

## 10x spike
Baseline ${spike.baseline}/s, ${spike.peak}/s for ${spike.surge_s} s: max lag ${spike.max_lag} records, drained ${spike.drain_s} s after the surge,
accepted ${spike.accepted}, refused at the edge ${spike.refused}, lost ${spike.lost}, double-counted ${spike.duplicated}.

## NLP (bench/nlp/throughput.ts per backend)
${Object.entries(nlp)
  .map(([k, v]) => `- ${k}: ${v ?? 'no figure'} tweets/s`)
  .join('\n')}
`;
}
