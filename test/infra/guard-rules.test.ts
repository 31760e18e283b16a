import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CONFIG, PROD_CONFIG } from '../../lib/config.ts';
import { allGuardRules, GUARD_ACKNOWLEDGEMENTS } from '../../lib/guard-acknowledgements.ts';
import { type Synthesized, synthesize } from './synth.ts';

/**
 * The synth itself fails on a Control Tower rule broken and not acknowledged (test/infra/synth.ts
 * registers the validator as bin/app.ts does). cfn-guard acknowledges whole rules only, so here
 * every rule runs and each finding must be one of the resources its acknowledgement names.
 */

interface Finding {
  readonly rule: string;
  readonly resource: string;
}

const findings: Finding[] = [];
const synths: Synthesized[] = [];

beforeAll(() => {
  for (const config of [DEV_CONFIG, PROD_CONFIG]) {
    const synth = synthesize(config, undefined, { guardRules: true });
    synths.push(synth);
    const report = allGuardRules().validate({
      templatePaths: [join(synth.outdir, synth.stack.templateFile)],
      appConstruct: synth.stack.node.root as App,
    });
    for (const v of report.violations)
      for (const r of v.violatingResources)
        findings.push({ rule: v.ruleName, resource: r.resourceLogicalId });
  }
}, 600_000);
afterAll(() => {
  for (const s of synths) s.dispose();
});

const covers = (rule: string, resource: string): boolean => {
  const ack = GUARD_ACKNOWLEDGEMENTS[rule];
  if (!ack) return false;
  return ack.resources === 'every' || ack.resources.some((prefix) => resource.startsWith(prefix));
};

describe('AWS Control Tower guard rules (dev and prod)', () => {
  it('run over the templates', () => {
    // Known findings exist (see lib/guard-acknowledgements.ts): none at all means the rules did not run.
    expect(findings.length).toBeGreaterThan(0);
  });

  it('find nothing on a resource their acknowledgement does not name', () => {
    const unacknowledged = findings
      .filter((f) => !covers(f.rule, f.resource))
      .map((f) => `${f.rule}: ${f.resource}`);
    expect([...new Set(unacknowledged)]).toEqual([]);
  });

  it('acknowledge only what a rule still finds', () => {
    const stale = Object.entries(GUARD_ACKNOWLEDGEMENTS).flatMap(([rule, ack]) => {
      const found = findings.filter((f) => f.rule === rule);
      if (found.length === 0) return [rule];
      if (ack.resources === 'every') return [];
      return ack.resources
        .filter((prefix) => !found.some((f) => f.resource.startsWith(prefix)))
        .map((prefix) => `${rule}: ${prefix}`);
    });
    expect(stale).toEqual([]);
  });

  it('give every acknowledgement its Control Tower control and a reason', () => {
    for (const [rule, ack] of Object.entries(GUARD_ACKNOWLEDGEMENTS)) {
      expect(ack.control, rule).toMatch(/^CT\.[A-Z0-9]+\.PR\.\d+$/);
      expect(ack.reason.length, rule).toBeGreaterThan(40);
    }
  });
});
