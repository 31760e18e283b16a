import { tmpdir } from 'node:os';
import { join } from 'node:path';
/**
 * How hard the fault suite pushes. `npm test` runs the short form (a few kills, outages of
 * seconds) to stay within its time budget; `npm run test:faults` sets SPATE_FAULTS=full for
 * the long scenarios (100 kills, 30 s outages) and writes bench/FAULTS.md.
 */
export interface FaultConfig {
  readonly full: boolean;
  /** Kills of the mapped-functions process in the aggregator scenario. */
  readonly aggregatorKills: number;
  /** How long a dependency is held down. */
  readonly outageMs: number;
  /** Shop events per second of the steady load under every fault. */
  readonly rate: number;
  /** Longest wait for every tier to match the truth after a fault ends. */
  readonly settleTimeoutMs: number;
  /**
   * Longest one scenario may run. A hundred kills, each waiting for the mapped functions to be
   * back and serving, take 10 to 20 minutes on a busy 2-core machine; the project's 15-minute
   * test timeout would abandon that scenario half-way with its stack still running.
   */
  readonly testTimeoutMs: number;
  /** Where the run writes its table: the full run into the repository's report. */
  readonly tableFile: string;
  /**
   * Scenarios of the full run only, to keep `npm test` within its time budget (each scenario
   * starts a whole stack of its own).
   */
  readonly fullOnly: readonly ScenarioName[];
}

export type ScenarioName = 'aggregator-kills' | 'clickhouse-outage' | 's3-outage';

const FULL_ONLY: readonly ScenarioName[] = ['aggregator-kills', 'clickhouse-outage', 's3-outage'];

export function readFaultConfig(env: NodeJS.ProcessEnv): FaultConfig {
  const mode = env.SPATE_FAULTS ?? 'short';
  if (mode !== 'short' && mode !== 'full') {
    throw new Error(`SPATE_FAULTS: must be "short" or "full", got "${mode}"`);
  }
  const full = mode === 'full';
  return {
    full,
    aggregatorKills: full ? 100 : 4,
    outageMs: full ? 30_000 : 6_000,
    rate: full ? 400 : 250,
    settleTimeoutMs: full ? 240_000 : 120_000,
    testTimeoutMs: full ? 2_700_000 : 900_000,
    tableFile: full ? 'bench/FAULTS.md' : join(tmpdir(), 'spate-fault-table.md'),
    fullOnly: FULL_ONLY,
  };
}

export const FAULTS = readFaultConfig(process.env);

/** Whether this run includes the scenario. */
export function runsScenario(config: FaultConfig, name: ScenarioName): boolean {
  return config.full || !config.fullOnly.includes(name);
}
