import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startFaultStack } from '../test/faults/fault-stack.ts';
import { climbSteps } from './e2e/climbs.ts';
import { CpuSampler } from './e2e/cpu-sampler.ts';
import { PipelineProbe } from './e2e/pipeline-probe.ts';

export interface SustainedOptions {
  readonly root: string;
  readonly start: number;
  readonly factor: number;
  readonly repeats: number;
  readonly say: (line: string) => void;
}

/**
 * `spate bench --sustained-only`: the full bench's climbs alone (20-second steps), from a chosen
 * rate in chosen steps, to measure a limit more closely than the full run's steps of 1.5x (two
 * trees compared, for instance). Writes bench/sustained.json; the full report is left as it is.
 */
export async function runSustained(options: SustainedOptions): Promise<Record<string, unknown>> {
  const { say } = options;
  say(`starting the local stack (climbs from ${options.start}/s in steps of x${options.factor})`);
  const loadAtStart = loadavg()[0] ?? 0;
  const stack = await startFaultStack();
  const probe = new PipelineProbe(stack.endpoints);
  await probe.open();
  const cpu = new CpuSampler(() => stack.supervisor.health());
  try {
    const { sustained, climbRates, climbs } = await climbSteps(stack.endpoints, probe, cpu, {
      start: options.start,
      factor: options.factor,
      stepSeconds: 20,
      repeats: options.repeats,
      say,
    });
    const report = {
      sustained_events_per_s: sustained,
      sustained_runs: climbRates,
      start: options.start,
      factor: options.factor,
      steps: climbs,
      machine: { cores: cpus().length, load_average_1m: { start: loadAtStart, end: loadavg()[0] ?? 0 } },
      at: new Date().toISOString(),
    };
    writeFileSync(join(options.root, 'bench/sustained.json'), `${JSON.stringify(report, null, 2)}\n`);
    say('wrote bench/sustained.json');
    return report;
  } finally {
    await probe.close();
    await stack.close();
  }
}
