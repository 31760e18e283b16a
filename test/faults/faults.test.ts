import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAULTS, runsScenario, type ScenarioName } from './fault-config.ts';
import { startFaultStack } from './fault-stack.ts';
import { runScenario } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';

const included = SCENARIOS.filter((s) => runsScenario(FAULTS, s.id as ScenarioName));

describe(`fault suite (${FAULTS.full ? 'full' : 'short'})`, () => {
  // The short run's table is this run's alone: rows left by an earlier run would read as this
  // run's. The full run replaces its scenarios' rows in bench/FAULTS.md one by one.
  beforeAll(() => {
    if (!FAULTS.full) rmSync(FAULTS.tableFile, { force: true });
  });
  // Each scenario gets a fresh stack, so one scenario's losses never show in the next row.
  it.each(included.map((s) => [s.title, s] as const))(
    '%s',
    async (_title, scenario) => {
      const stack = await startFaultStack();
      try {
        const { row, load, tiers, topicDuplicates } = await runScenario(stack, scenario);
        expect(row.accepted).toBeGreaterThan(0);
        if (scenario.ingestUnaffected) {
          expect(load.refused).toBe(0);
          // Nothing refused, so every copy the client sent reached the topic, and nothing else did.
          expect(topicDuplicates).toBe(load.copiesAccepted);
        }
        if (scenario.resend) expect(load.copiesAccepted).toBeGreaterThan(0);
        if (scenario.tweetsRate) expect(tiers.tweets?.counted).toBeGreaterThan(0);
        expect({ lost: row.lost, duplicated: row.duplicated }).toEqual({ lost: 0, duplicated: 0 });
      } finally {
        await stack.close();
      }
    },
    FAULTS.testTimeoutMs,
  );
});
