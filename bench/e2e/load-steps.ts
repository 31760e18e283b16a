import { runLoad } from '../../load/load-runner.ts';
import type { LocalEndpoints } from '../../local/stack/endpoints.ts';
import { percentile } from '../percentile.ts';
import type { CpuSampler, CpuSpan } from './cpu-sampler.ts';
import type { DashboardProbe } from './dashboard-probe.ts';
import { drainAllowanceMs, EVENTS_RAW_GROUPS, type GroupVerdict, judgeTrend } from './keep-up.ts';
import type { PipelineProbe } from './pipeline-probe.ts';

export interface StepResult {
  readonly target: number;
  readonly accepted_per_s: number;
  /** Per consumer group of events.raw: the lag trend over the step's second half, or its drain. */
  readonly groups: Record<string, GroupStep>;
  /** What held the step back, when it did not keep up. */
  readonly limited_by: string[];
  readonly keeps_up: boolean;
  /** Where the cores went while the load ran. */
  readonly cpu?: CpuSpan;
}

export type GroupStep =
  | (GroupVerdict & { readonly judge: 'trend'; readonly drain_s: number | null })
  | {
      readonly judge: 'drain';
      readonly drain_s: number | null;
      readonly allowance_s: number;
      readonly keeps_up: boolean;
    };

export interface LatencyResult {
  readonly rate: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly samples: number;
  /** Probes no frame counted within the timeout (counted as infinitely late in the percentiles). */
  readonly unseen: number;
  /** Out-of-order deltas the client had to resync over. */
  readonly gaps: number;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GROUP_IDS = EVENTS_RAW_GROUPS.map((g) => g.groupId);
const FROM_LATEST = new Set(EVENTS_RAW_GROUPS.filter((g) => g.fromLatest).map((g) => g.groupId));
/** A group has drained when no more than this share of a second's traffic is left uncommitted. */
const DRAINED_SHARE = 0.01;

/**
 * One step of the step-up: load at `target` for `durationS` while every group's lag is sampled
 * twice a second; then the wait until every group has drained. Lag read right after a step
 * would include the records sitting in the mappings' batching windows (up to 10 s), so each
 * group is judged by its own rule (keep-up.ts): the hot groups on their lag trend over the
 * second half, the warm and cold loaders on how soon they drain. Ingest must also take ≥ 90%
 * of the target.
 */
export async function step(
  endpoints: LocalEndpoints,
  probe: PipelineProbe,
  target: number,
  durationS: number,
  cpu?: CpuSampler,
): Promise<StepResult> {
  const started = Date.now();
  cpu?.start();
  const samples = new Map<string, { t: number; lag: number }[]>(GROUP_IDS.map((g) => [g, []]));
  let loading = true;
  const sampling = (async () => {
    while (loading) {
      const t = Date.now() - started;
      const lags = await probe.lagByGroup(GROUP_IDS, FROM_LATEST).catch(() => undefined);
      if (lags && t >= (durationS * 1000) / 2)
        for (const g of GROUP_IDS) samples.get(g)?.push({ t, lag: lags[g] ?? 0 });
      await sleep(500);
    }
  })();
  const report = await load(endpoints, target, durationS);
  const cpuSpan = cpu?.stop();
  loading = false;
  await sampling;

  const ended = Date.now();
  const drainedAt = new Map<string, number>();
  const deadline =
    ended + Math.max(...EVENTS_RAW_GROUPS.map((g) => drainAllowanceMs(g.windowMs, durationS))) + 30_000;
  while (drainedAt.size < GROUP_IDS.length && Date.now() < deadline) {
    const lags = await probe.lagByGroup(GROUP_IDS, FROM_LATEST).catch(() => undefined);
    const now = Date.now();
    for (const g of GROUP_IDS)
      if (!drainedAt.has(g) && lags && (lags[g] ?? 0) <= DRAINED_SHARE * target) drainedAt.set(g, now);
    await sleep(250);
  }

  const groups: Record<string, GroupStep> = {};
  for (const g of EVENTS_RAW_GROUPS) {
    const at = drainedAt.get(g.groupId);
    const drainS = at === undefined ? null : Math.round((at - ended) / 100) / 10;
    if (g.judge === 'trend') {
      groups[g.groupId] = {
        judge: 'trend',
        ...judgeTrend(samples.get(g.groupId) ?? [], target),
        drain_s: drainS,
      };
    } else {
      const allowance = drainAllowanceMs(g.windowMs, durationS);
      groups[g.groupId] = {
        judge: 'drain',
        drain_s: drainS,
        allowance_s: allowance / 1000,
        keeps_up: at !== undefined && at - ended <= allowance,
      };
    }
  }
  const acceptedPerS = Math.round(report.accepted / durationS);
  const limitedBy = Object.entries(groups)
    .filter(([, v]) => !v.keeps_up)
    .map(([k]) => k);
  if (acceptedPerS < 0.9 * target) limitedBy.unshift('ingest');
  return {
    target,
    accepted_per_s: acceptedPerS,
    groups,
    limited_by: limitedBy,
    keeps_up: limitedBy.length === 0,
    ...(cpuSpan ? { cpu: cpuSpan } : {}),
  };
}

/**
 * Event sent -> first WebSocket frame counting it, one probe every `everyMs` while load runs at
 * `rate`; the probes overlap, so a slow frame does not thin out the samples.
 */
export async function latencyAt(
  endpoints: LocalEndpoints,
  dashboard: DashboardProbe,
  rate: number,
  durationS: number,
  everyMs = 250,
): Promise<LatencyResult> {
  // The load runs on past the last probe, so every probe is measured under the same load.
  const running = load(endpoints, rate, durationS + 5);
  const gapsBefore = dashboard.gaps;
  const probes: Promise<number>[] = [];
  const until = Date.now() + (durationS - 1) * 1000;
  await sleep(1000);
  while (Date.now() < until) {
    probes.push(dashboard.eventToDashboardMs().catch(() => Number.POSITIVE_INFINITY));
    await sleep(everyMs);
  }
  await running;
  const samples = await Promise.all(probes);
  const round = (n: number) => (Number.isFinite(n) ? Math.round(n) : n);
  return {
    rate,
    p50_ms: round(percentile(samples, 50)),
    p95_ms: round(percentile(samples, 95)),
    p99_ms: round(percentile(samples, 99)),
    samples: samples.length,
    unseen: samples.filter((s) => !Number.isFinite(s)).length,
    gaps: dashboard.gaps - gapsBefore,
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
