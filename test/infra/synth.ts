import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MAPPINGS } from '../../core/mappings.ts';
import { INGEST_ROUTE_KEYS } from '../../lambdas/ingest/routes.ts';
import { QUERY_ROUTE_KEYS } from '../../lambdas/query/routes.ts';
import { repositoryCatalog, requireEntries, type SpateCatalog } from '../../lib/catalog.ts';
import type { SpateConfig } from '../../lib/config.ts';
import { spateGuardValidator } from '../../lib/guard-acknowledgements.ts';
import { applyNagSuppressions } from '../../lib/nag-suppressions.ts';
import { SpateStack } from '../../lib/spate-stack.ts';

/** The repository's real entries, as bin/app.ts builds them; a missing one fails here, by name. */
export function testCatalog(): SpateCatalog {
  return requireEntries(
    repositoryCatalog({
      mappings: MAPPINGS,
      routes: { ingest: INGEST_ROUTE_KEYS, query: QUERY_ROUTE_KEYS },
    }),
  );
}

export interface Synthesized {
  readonly stack: SpateStack;
  readonly template: Template;
  /** cdk-nag findings left after the suppressions: "rule: path". */
  readonly findings: string[];
  /** The cloud assembly directory (asset manifest and staged assets). */
  readonly outdir: string;
  /** Removes the cloud assembly directory. */
  dispose(): void;
}

/** One synth per configuration and file: bundling every function with esbuild is the slow part. */
export function synthesize(
  config: SpateConfig,
  catalog: SpateCatalog = testCatalog(),
  options: { readonly guardRules?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'spate-cdk-'));
  // With guardRules, as bin/app.ts: a Control Tower rule broken and not acknowledged fails the
  // synth itself. cfn-guard takes about 23 s a template, so only the guard rules' test pays it.
  const app = new App({
    outdir,
    ...(options.guardRules ? { policyValidationBeta1: [spateGuardValidator()] } : {}),
  });
  const stack = new SpateStack(app, `Spate-${config.name}`, { config, catalog });
  applyNagSuppressions(stack);
  const template = Template.fromStack(stack);
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  const findings = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath ?? r.resourceLogicalId}`),
  );
  return {
    stack,
    template,
    findings,
    outdir,
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
