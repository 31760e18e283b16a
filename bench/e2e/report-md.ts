import { describeCpu } from './cpu-sampler.ts';
import { EVENTS_RAW_GROUPS, TREND_RULE } from './keep-up.ts';
import type { GroupStep, StepResult } from './load-steps.ts';

/** bench/REPORT.md from report.json: the figures, and which stage limits where a target is missed. */
export function benchMarkdown(r: Record<string, unknown>): string {
  const get = <T>(k: string) => r[k] as T;
  const stages = get<Record<string, number>>('stage_limits');
  const spike = get<Record<string, number>>('spike');
  const latency = get<{
    at_sustained: Record<string, number>;
    at_half: Record<string, number>;
    event_to_redis_idle?: Record<string, number>;
  }>('latency');
  const climbs = get<StepResult[][]>('steps');
  const nlp = get<Record<string, number | null>>('nlp_tweets_per_s');
  const machine = get<Record<string, unknown>>('machine');
  const sustained = get<number>('sustained_events_per_s');
  const ratio = get<number>('ratio_to_slowest_stage');
  const targets = [
    `- sustained ≥ 50,000 events/s: **${sustained >= 50_000 ? 'met' : 'missed'}** (${sustained}/s)`,
    `- p99 event -> dashboard < 1 s at 50%: **${latency.at_half.p99_ms! < 1000 ? 'met' : 'missed'}** (${latency.at_half.p99_ms} ms at ${latency.at_half.rate}/s, event -> WebSocket frame)`,
    `- ratio to the slowest stage ≥ 0.5: **${ratio >= 0.5 ? 'met' : 'missed'}** (${ratio}, slowest: ${get<string>('slowest_stage')})`,
    `- 10x spike loses nothing: **${spike.lost === 0 && spike.duplicated === 0 ? 'met' : 'missed'}** (lost ${spike.lost}, double-counted ${spike.duplicated})`,
  ];
  return `# End-to-end benchmark

\`npx spate bench${get<boolean>('quick') ? ' --quick' : ''}\` on ${machine.cores} cores (${machine.cpu}), ${machine.memory_gib} GiB, everything of
\`spate local\` on the same machine, at ${get<string>('at')}; 1-minute load average through the run ${loadLine(machine.load_average_1m)}. Stage limits are medians of the runs listed in report.json.

## Targets
${targets.join('\n')}

## Stage limits (side by side, same run)
| stage | rate |
|---|---:|
${Object.entries(stages)
  .map(([k, v]) => `| ${k} | ${v} |`)
  .join('\n')}

## Step-up (spate load through the gateway)
Keep-up rule: ${get<string>('keep_up_rule')}.

| climb | target/s | accepted/s | per group (hot: lag slope/s, mean lag; warm/cold: drain s) | keeps up | CPU while loading (cores) |
|---:|---:|---:|---|---|---|
${climbs
  .flatMap((steps, c) =>
    steps.map(
      (s) =>
        `| ${c + 1} | ${s.target} | ${s.accepted_per_s} | ${groupCells(s.groups)} | ${s.keeps_up ? 'yes' : `no: ${s.limited_by.join(', ')}`} | ${describeCpu(s.cpu)} |`,
    ),
  )
  .join('\n')}

Sustained: **${sustained} events/s** (median of climbs ${get<number[]>('sustained_runs').join(', ')}); ratio to the slowest stage: **${ratio}**.

## Latency, event sent -> WebSocket frame
A WebSocket client of the local gateway subscribes to the overview channel and applies its frames
in seq order; a probe event of a type of its own is timed from its send until the first frame whose
\`by_type\` counts it (ingest, broker, realtime aggregator, Redis, broadcaster with its coalescing,
@connections push). Probes every 250 ms while the load runs; the load generator shares the process.

| load | p50 ms | p95 ms | p99 ms | samples | never seen | seq gaps |
|---|---:|---:|---:|---:|---:|---:|
${latencyRow('sustained', latency.at_sustained)}
${latencyRow('50%', latency.at_half)}

Part of it, with no load: event sent -> counted in Redis p50 ${latency.event_to_redis_idle?.p50_ms} ms, p99 ${latency.event_to_redis_idle?.p99_ms} ms.

${why(r)}
## 10x spike
Baseline ${spike.baseline}/s, ${spike.peak}/s for ${spike.surge_s} s: max lag ${spike.max_lag} records, drained ${spike.drain_s} s after the surge,
accepted ${spike.accepted}, refused at the edge ${spike.refused}, lost ${spike.lost}, double-counted ${spike.duplicated}.

## NLP (bench/nlp/throughput.ts per backend)
${Object.entries(nlp)
  .map(([k, v]) => `- ${k}: ${v ?? 'no figure'} tweets/s`)
  .join('\n')}
`;
}

function groupCells(groups: Record<string, GroupStep>): string {
  return Object.entries(groups)
    .map(([g, v]) => {
      const name = g.replace('spate-', '');
      const mark = v.keeps_up ? '' : ' ✗';
      return v.judge === 'trend'
        ? `${name} ${v.slope_per_s}/${v.mean_lag}${mark}`
        : `${name} ${v.drain_s ?? '>'}${v.drain_s === null ? v.allowance_s : ''} s${mark}`;
    })
    .join(', ');
}

function latencyRow(label: string, l: Record<string, number>): string {
  const ms = (n: number | null | undefined) =>
    n === null || n === undefined || !Number.isFinite(n) ? '∞' : n;
  return `| ${l.rate}/s (${label}) | ${ms(l.p50_ms)} | ${ms(l.p95_ms)} | ${ms(l.p99_ms)} | ${l.samples} | ${l.unseen ?? 0} | ${l.gaps ?? 0} |`;
}

/** Where a target is missed: the stage that limits, from this run's own numbers. */
function why(r: Record<string, unknown>): string {
  const stages = r.stage_limits as Record<string, number>;
  const sustained = r.sustained_events_per_s as number;
  const climbs = r.steps as StepResult[][];
  const failed = climbs.map((steps) => steps.find((s) => !s.keeps_up)).filter((s) => s !== undefined);
  const lines: string[] = [];
  if (sustained < 50_000) {
    const below = Object.entries(stages)
      .filter(([, v]) => v < 50_000)
      .map(([k, v]) => `${k} ${v}`);
    lines.push(
      `- Sustained ${sustained}/s < 50,000: stages below 50k on their own in this run: ${below.join('; ') || 'none'}.`,
    );
    for (const f of failed) {
      const details = f.limited_by.map((g) => {
        const v = f.groups[g];
        if (!v) return `${g} (accepted ${f.accepted_per_s}/s of ${f.target}/s)`;
        return v.judge === 'trend'
          ? `${g} lag slope ${v.slope_per_s}/s, mean lag ${v.mean_lag} (limits ${TREND_RULE.maxSlopeShare * f.target}/s and ${TREND_RULE.maxMeanLagSeconds * f.target})`
          : `${g} not drained within ${v.allowance_s} s`;
      });
      lines.push(
        `- First failing step of a climb, ${f.target}/s: ${details.join('; ')}. CPU meanwhile: ${describeCpu(f.cpu, 6)}.`,
      );
    }
  }
  const ratio = r.ratio_to_slowest_stage as number;
  const slowest = r.slowest_stage as string;
  if (ratio < 0.5) {
    lines.push(
      `- Ratio ${ratio} < 0.5: the slowest stage, ${slowest}, runs alone in one process, while end to end every event also passes the gateway's HTTP workers, the broker (written once, read by ${EVENTS_RAW_GROUPS.length} consumer groups: ${EVENTS_RAW_GROUPS.length + 1} record transfers per event) and ${EVENTS_RAW_GROUPS.length} mapped functions writing Redis, ClickHouse and S3, all on the same ${(r.machine as Record<string, number>).cores} cores.`,
    );
  }
  const latency = r.latency as Record<string, Record<string, number> | undefined>;
  const half = latency.at_half;
  const redis = latency.event_to_redis_idle;
  if (half && !(half.p99_ms! < 1000)) {
    lines.push(
      `- p99 event -> frame ${half.p99_ms ?? '∞'} ms at ${half.rate}/s: event -> counted in Redis alone is p50 ${redis?.p50_ms} / p99 ${redis?.p99_ms} ms with no load (ingest, broker, the realtime function); the broadcaster's per-channel push interval (at most two frames a second) comes on top, and under load the hot groups carry the mean lag shown in the step table.`,
    );
  }
  return lines.length === 0 ? '' : `## Why targets are missed\n${lines.join('\n')}\n`;
}

function loadLine(load: unknown): string {
  if (!load || typeof load !== 'object') return 'not recorded';
  const l = load as Record<string, number>;
  return `${l.start} at the start, median ${l.median}, max ${l.max}`;
}
