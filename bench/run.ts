import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startFaultStack } from '../test/faults/fault-stack.ts';
import { hotTally, readRawTruth } from '../test/faults/truth.ts';
import { latencyAt, type StepResult, spike, step } from './e2e/load-steps.ts';
import { median, PipelineProbe } from './e2e/pipeline-probe.ts';
import { benchMarkdown } from './e2e/report-md.ts';
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
  try {
    const stageLimits: Record<string, number> = {};
    const stageRuns: Record<string, number[]> = {};
    for (const [name, measure] of Object.entries(STAGES)) {
      const runs: number[] = [];
      for (let i = 0; i < repeats; i++) runs.push(await measure(stack.endpoints, stageSeconds));
      stageRuns[name] = runs;
      stageLimits[name] = median(runs);
      say(`stage ${name}: ${stageLimits[name]} (runs ${runs.join(', ')})`);
    }

    const steps: StepResult[] = [];
    const stepSeconds = quick ? 6 : 20;
    for (let target = quick ? 2000 : 2000; target <= 128_000; target *= 2) {
      const result = await step(stack.endpoints, probe, target, stepSeconds);
      steps.push(result);
      say(
        `step ${target}/s: accepted ${result.accepted_per_s}/s, lag ${result.end_lag} -> ${result.keeps_up ? 'keeps up' : 'falls behind'}`,
      );
      if (!result.keeps_up) break;
      // Let the backlog of a near-miss drain before the next step.
      while ((await probe.lag()) > target) await new Promise((r) => setTimeout(r, 1000));
    }
    const kept = steps.filter((s) => s.keeps_up);
    const sustained = kept.length > 0 ? Math.max(...kept.map((s) => s.accepted_per_s)) : 0;

    const latencySeconds = quick ? 8 : 30;
    const atFull = await latencyAt(stack.endpoints, probe, Math.max(1, sustained), latencySeconds);
    say(`event -> Redis at ${sustained}/s: p50 ${atFull.p50_ms} ms p99 ${atFull.p99_ms} ms`);
    const atHalf = await latencyAt(
      stack.endpoints,
      probe,
      Math.max(1, Math.round(sustained / 2)),
      latencySeconds,
    );
    say(`event -> Redis at ${Math.round(sustained / 2)}/s: p50 ${atHalf.p50_ms} ms p99 ${atHalf.p99_ms} ms`);

    const baseline = Math.max(100, Math.round(sustained / 10));
    const spikeResult = await spike(stack.endpoints, probe, baseline, quick ? 25 : 300);
    const truth = await readRawTruth(stack.endpoints);
    const hot = await hotTally(stack.endpoints, truth);
    say(
      `spike ${baseline}/s -> ${baseline * 10}/s: max lag ${spikeResult.max_lag}, drained in ${spikeResult.drain_s} s, lost ${hot.lost}, double-counted ${hot.duplicated}`,
    );

    const slowest = Object.entries(stageLimits).sort((a, b) => a[1] - b[1])[0]!;
    const nlp = nlpRates(options.root, quick, say);
    const report = {
      sustained_events_per_s: sustained,
      p99_event_to_dashboard_ms: atHalf.p99_ms,
      p99_event_to_dashboard_measures:
        'event sent -> counted in Redis (the number the dashboard reads); the WebSocket frame is not yet timed',
      latency: { at_sustained: atFull, at_half: atHalf },
      stage_limits: stageLimits,
      stage_runs: stageRuns,
      slowest_stage: slowest[0],
      ratio_to_slowest_stage: Math.round((sustained / slowest[1]) * 100) / 100,
      steps,
      spike: { ...spikeResult, lost: hot.lost, duplicated: hot.duplicated },
      nlp_tweets_per_s: nlp,
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        memory_gib: Math.round(totalmem() / 2 ** 30),
      },
      quick,
      at: new Date().toISOString(),
    };
    writeFileSync(join(options.root, 'bench/report.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(options.root, 'bench/REPORT.md'), benchMarkdown(report));
    say('wrote bench/report.json and bench/REPORT.md');
    return report;
  } finally {
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
