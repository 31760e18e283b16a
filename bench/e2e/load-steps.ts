import { runLoad } from '../../load/load-runner.ts';
import type { LocalEndpoints } from '../../local/stack/endpoints.ts';
import { type PipelineProbe, percentile } from './pipeline-probe.ts';

export interface StepResult {
  readonly target: number;
  readonly accepted_per_s: number;
  readonly end_lag: number;
  readonly keeps_up: boolean;
}

export interface LatencyResult {
  readonly rate: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly samples: number;
}

const load = (endpoints: LocalEndpoints, rate: number, durationS: number, spike = false) =>
  runLoad({
    endpoint: endpoints.http,
    writeKey: endpoints.writeKey,
    rate,
    durationS,
    users: 20_000,
    tweetsRate: 0,
    seed: 42,
    spike,
    batchSize: 200,
    concurrency: 16,
  });

/**
 * One step of the step-up: load at `target` for `durationS`, then the lag 3 s later. The step
 * keeps up when ingest took ≥ 90% of the target and the lag is under two seconds of traffic.
 */
export async function step(
  endpoints: LocalEndpoints,
  probe: PipelineProbe,
  target: number,
  durationS: number,
): Promise<StepResult> {
  const report = await load(endpoints, target, durationS);
  await new Promise((r) => setTimeout(r, 3000));
  const endLag = await probe.lag();
  const acceptedPerS = Math.round(report.accepted / durationS);
  return {
    target,
    accepted_per_s: acceptedPerS,
    end_lag: endLag,
    keeps_up: acceptedPerS >= 0.9 * target && endLag < 2 * target,
  };
}

/** Event -> counted in Redis, sampled every ~200 ms while load runs at `rate`. */
export async function latencyAt(
  endpoints: LocalEndpoints,
  probe: PipelineProbe,
  rate: number,
  durationS: number,
): Promise<LatencyResult> {
  const running = load(endpoints, rate, durationS);
  const samples: number[] = [];
  const until = Date.now() + (durationS - 1) * 1000;
  await new Promise((r) => setTimeout(r, 1000));
  while (Date.now() < until) {
    samples.push(await probe.eventToRedisMs());
    await new Promise((r) => setTimeout(r, 200));
  }
  await running;
  const round = (n: number) => Math.round(n);
  return {
    rate,
    p50_ms: round(percentile(samples, 50)),
    p95_ms: round(percentile(samples, 95)),
    p99_ms: round(percentile(samples, 99)),
    samples: samples.length,
  };
}

export interface SpikeResult {
  readonly baseline: number;
  readonly peak: number;
  readonly surge_s: number;
  readonly max_lag: number;
  readonly drain_s: number;
  readonly accepted: number;
  readonly refused: number;
}

/** `spate load --spike`: 10x the baseline through the middle fifth of the run; lag sampled each second. */
export async function spike(
  endpoints: LocalEndpoints,
  probe: PipelineProbe,
  baseline: number,
  durationS: number,
): Promise<SpikeResult> {
  const started = Date.now();
  const surgeEndMs = started + durationS * 600;
  let maxLag = 0;
  let drainedAt: number | undefined;
  let stop = false;
  const watch = (async () => {
    while (!stop) {
      const lag = await probe.lag().catch(() => 0);
      maxLag = Math.max(maxLag, lag);
      const now = Date.now();
      if (now > surgeEndMs && drainedAt === undefined && lag <= 2 * baseline) drainedAt = now;
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  const report = await load(endpoints, baseline, durationS, true);
  const deadline = Date.now() + 300_000;
  while (drainedAt === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  stop = true;
  await watch;
  return {
    baseline,
    peak: baseline * 10,
    surge_s: durationS / 5,
    max_lag: maxLag,
    drain_s: Math.round(((drainedAt ?? Date.now()) - surgeEndMs) / 100) / 10,
    accepted: report.accepted,
    refused: report.refused,
  };
}
