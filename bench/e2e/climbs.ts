import { median } from '../percentile.ts';
import type { CpuSampler } from './cpu-sampler.ts';
import { describeCpu } from './cpu-sampler.ts';
import { EVENTS_RAW_GROUPS } from './keep-up.ts';
import { type StepResult, step } from './load-steps.ts';
import type { PipelineProbe } from './pipeline-probe.ts';

export interface ClimbOptions {
  /** The first step's rate, events/s. */
  readonly start: number;
  /** Each kept-up step's rate times this is the next one's. */
  readonly factor: number;
  readonly stepSeconds: number;
  readonly repeats: number;
  readonly say: (line: string) => void;
}

export interface Climbs {
  /** The median of the climbs' best kept-up steps. */
  readonly sustained: number;
  readonly climbRates: number[];
  readonly climbs: StepResult[][];
}

type Endpoints = Parameters<typeof step>[0];

/**
 * The step-up, repeated: from `start` each climb goes up by `factor` until a step does not keep
 * up (or halves down until one does); the sustained rate is the median of the climbs' best
 * kept-up steps. A finer factor measures a limit more closely and takes more steps.
 */
export async function climbSteps(
  endpoints: Endpoints,
  probe: PipelineProbe,
  cpu: CpuSampler,
  options: ClimbOptions,
): Promise<Climbs> {
  const { factor, say } = options;
  const climbs: StepResult[][] = [];
  const climbRates: number[] = [];
  for (let c = 0; c < options.repeats; c++) {
    await drained(probe, say);
    const steps: StepResult[] = [];
    const tryStep = async (target: number) => {
      const result = await step(endpoints, probe, target, options.stepSeconds, cpu);
      steps.push(result);
      say(
        `climb ${c + 1} step ${target}/s: accepted ${result.accepted_per_s}/s -> ${result.keeps_up ? 'keeps up' : `falls behind (${result.limited_by.join(', ')})`}; ${groupLine(result)}; CPU ${describeCpu(result.cpu)}`,
      );
      return result.keeps_up;
    };
    let target = options.start;
    if (await tryStep(target)) {
      do target = Math.round(target * factor);
      while (target <= 128_000 && (await tryStep(target)));
    } else {
      // A busy machine may not hold even the first step: halve down, so the figure is a rate, not 0.
      do target = Math.round(target / 2);
      while (target >= 250 && !(await tryStep(target)));
    }
    const kept = steps.filter((s) => s.keeps_up);
    climbs.push(steps);
    climbRates.push(kept.length > 0 ? Math.max(...kept.map((s) => s.accepted_per_s)) : 0);
  }
  const sustained = median(climbRates);
  say(`sustained ${sustained}/s (climbs ${climbRates.join(', ')})`);
  return { sustained, climbRates, climbs };
}

function groupLine(result: StepResult): string {
  return Object.entries(result.groups)
    .map(([g, v]) =>
      v.judge === 'trend'
        ? `${g.replace('spate-', '')} slope ${v.slope_per_s}/s mean ${v.mean_lag}`
        : `${g.replace('spate-', '')} drained ${v.drain_s ?? '-'} s`,
    )
    .join(', ');
}

/** Waits (up to two minutes) until no group on events.raw owes records, so a climb or a latency run starts clean. */
export async function drained(probe: PipelineProbe, say: (line: string) => void): Promise<void> {
  const groups = EVENTS_RAW_GROUPS.map((g) => g.groupId);
  const fromLatest = new Set(EVENTS_RAW_GROUPS.filter((g) => g.fromLatest).map((g) => g.groupId));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const lags = await probe.lagByGroup(groups, fromLatest);
    const owed = Object.values(lags).reduce((a, b) => a + b, 0);
    if (owed === 0) return;
    if (Date.now() > deadline) {
      say(`starting with ${owed} records still owed: ${JSON.stringify(lags)}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
