import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { startFaultStack } from '../test/faults/fault-stack.ts';
import { hotTally, readRawTruth } from '../test/faults/truth.ts';
import { climbSteps, drained } from './e2e/climbs.ts';
import { CpuSampler } from './e2e/cpu-sampler.ts';
import { DashboardProbe } from './e2e/dashboard-probe.ts';
import { TREND_RULE } from './e2e/keep-up.ts';
import { type LatencyResult, latencyAt, spike } from './e2e/load-steps.ts';
import { PipelineProbe } from './e2e/pipeline-probe.ts';
import { benchMarkdown } from './e2e/report-md.ts';
import { median, percentile } from './percentile.ts';
import { STAGES } from './stages/limits.ts';

export interface BenchOptions {
  readonly quick: boolean;
  readonly root: string;
  readonly say: (line: string) => void;
}

/** `spate bench`: stage limits, step-up to the sustained rate, latency, the 10x spike, NLP. */
export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const { quick, say } = options;
  const repeats = quick ? 1 : 3;
  const stageSeconds = quick ? 3 : 8;
  say(`starting the local stack (${quick ? 'quick' : 'full'} run)`);
  const stack = await startFaultStack();
  const probe = new PipelineProbe(stack.endpoints);
  await probe.open();
  const cpu = new CpuSampler(() => stack.supervisor.health());
  // Other work on the machine moves every figure here, so the run records how busy it was.
  const loads: number[] = [loadavg()[0] ?? 0];
  const loadTimer = setInterval(() => loads.push(loadavg()[0] ?? 0), 30_000);
  try {
    const { sustained, climbs, climbRates } = await climbSteps(stack.endpoints, probe, cpu, {
      start: 2000,
      factor: quick ? 2 : 1.5,
      stepSeconds: quick ? 8 : 20,
      repeats,
      say,
    });

    const dashboard = new DashboardProbe(stack.endpoints);
    await dashboard.open();
    const latencySeconds = quick ? 8 : 30;
    let atFull: LatencyResult;
    let atHalf: LatencyResult;
    try {
      // Each from an empty pipeline: the step-up (or the run before) may have left a backlog.
      await drained(probe, say);
      atHalf = await latencyAt(
        stack.endpoints,
        dashboard,
        Math.max(1, Math.round(sustained / 2)),
        latencySeconds,
      );
      say(
        `event -> dashboard frame at ${Math.round(sustained / 2)}/s: p50 ${atHalf.p50_ms} ms p99 ${atHalf.p99_ms} ms`,
      );
      await drained(probe, say);
      atFull = await latencyAt(stack.endpoints, dashboard, Math.max(1, sustained), latencySeconds);
      say(`event -> dashboard frame at ${sustained}/s: p50 ${atFull.p50_ms} ms p99 ${atFull.p99_ms} ms`);
    } finally {
      dashboard.close();
    }
    await drained(probe, say);
    const redisIdle = await redisLatency(probe, quick ? 4 : 20);
    say(`event -> counted in Redis (idle): p50 ${redisIdle.p50_ms} ms p99 ${redisIdle.p99_ms} ms`);

    const baseline = Math.max(100, Math.round(sustained / 10));
    const spikeResult = await spike(stack.endpoints, probe, baseline, quick ? 25 : 300);
    const truth = await readRawTruth(stack.endpoints);
    const hot = await hotTally(stack.endpoints, truth);
    say(
      `spike ${baseline}/s -> ${baseline * 10}/s: max lag ${spikeResult.max_lag}, drained in ${spikeResult.drain_s} s, lost ${hot.lost}, double-counted ${hot.duplicated}`,
    );

    // Stage limits last, each stage's raw capacity on this machine with the servers up and the
    // pipeline idle: the mapped functions stop first, or they would spend the cores on the
    // in-process ingest stage's events while it is being measured.
    await stack.supervisor.stop('esm');
    const stageLimits: Record<string, number> = {};
    const stageRuns: Record<string, number[]> = {};
    for (const [name, measure] of Object.entries(STAGES)) {
      const runs: number[] = [];
      for (let i = 0; i < repeats; i++) runs.push(await measure(stack.endpoints, stageSeconds));
      stageRuns[name] = runs;
      stageLimits[name] = median(runs);
      say(`stage ${name}: ${stageLimits[name]} (runs ${runs.join(', ')})`);
    }

    const slowest = Object.entries(stageLimits).sort((a, b) => a[1] - b[1])[0]!;
    const nlp = nlpRates(options.root, quick, say);
    const report = {
      sustained_events_per_s: sustained,
      p99_event_to_dashboard_ms: atHalf.p99_ms,
      p99_event_to_dashboard_measures:
        'event sent -> first frame on the overview channel, received by a WebSocket client of the local gateway, whose by_type counts include it; at 50% of the sustained rate',
      latency: { at_sustained: atFull, at_half: atHalf, event_to_redis_idle: redisIdle },
      stage_limits: stageLimits,
      stage_runs: stageRuns,
      slowest_stage: slowest[0],
      ratio_to_slowest_stage: Math.round((sustained / slowest[1]) * 100) / 100,
      sustained_runs: climbRates,
      keep_up_rule: KEEP_UP_RULE,
      steps: climbs,
      spike: { ...spikeResult, lost: hot.lost, duplicated: hot.duplicated },
      nlp_tweets_per_s: nlp,
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        memory_gib: Math.round(totalmem() / 2 ** 30),
        load_average_1m: {
          start: round2(loads[0] ?? 0),
          median: round2(median(loads)),
          max: round2(Math.max(...loads)),
        },
      },
      quick,
      at: new Date().toISOString(),
    };
    writeFileSync(join(options.root, 'bench/report.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(options.root, 'bench/REPORT.md'), benchMarkdown(report));
    say('wrote bench/report.json and bench/REPORT.md');
    return report;
  } finally {
    clearInterval(loadTimer);
    await probe.close();
    await stack.close();
  }
}

/** The NLP worker's own benchmark per backend (bench/nlp/throughput.ts), its JSON line read back. */
function nlpRates(root: string, quick: boolean, say: (line: string) => void): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const backend of ['lexicon', 'onnx']) {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'bench/nlp/throughput.ts'),
        '--tweets',
        quick ? '20000' : '200000',
        '--backend',
        backend,
      ],
      { cwd: root, encoding: 'utf8', timeout: quick ? 90_000 : 600_000 },
    );
    const line = run.stdout
      ?.trim()
      .split('\n')
      .reverse()
      .find((l) => l.startsWith('{'));
    let value: number | null = null;
    if (line) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const key = Object.keys(parsed).find(
        (k) => /per_s|tweets_s|rate/.test(k) && typeof parsed[k] === 'number',
      );
      value = key ? Math.round(parsed[key] as number) : null;
    }
    out[backend] = value;
    say(`nlp ${backend}: ${value ?? 'no figure'} tweets/s`);
  }
  return out;
}

const KEEP_UP_RULE = `hot groups: lag slope over the step's second half < ${TREND_RULE.maxSlopeShare} x rate per s and mean lag < ${TREND_RULE.maxMeanLagSeconds} s of traffic; warehouse and archive: drained within their window + a quarter of the step + 3 s after the load ends; ingest accepts >= 90% of the target`;

/** Event -> counted in Redis with no load, for the split of the dashboard figure. */
async function redisLatency(probe: PipelineProbe, seconds: number): Promise<Record<string, number>> {
  const samples: number[] = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    samples.push(await probe.eventToRedisMs());
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    p50_ms: Math.round(percentile(samples, 50)),
    p99_ms: Math.round(percentile(samples, 99)),
    samples: samples.length,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
