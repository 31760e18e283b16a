import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defineAggregatorMapping, MAPPINGS, type MappingDefinition } from '../../core/mappings.ts';
import { TOPICS } from '../../core/topics.ts';
import { REPO_ROOT, repositoryCatalog, type SpateCatalog } from '../../lib/catalog.ts';
import type { SpateConfig } from '../../lib/config.ts';
import { applyNagSuppressions } from '../../lib/nag-suppressions.ts';
import { SpateStack } from '../../lib/spate-stack.ts';

export const FIXTURES = join(REPO_ROOT, 'test', 'infra', 'fixtures');
export const FIXTURE_HANDLER = join(FIXTURES, 'handler.ts');

/** The three sinks of DESIGN.md, used while core/mappings.ts lists none yet. */
export const FIXTURE_MAPPINGS: readonly MappingDefinition[] = [
  defineAggregatorMapping('aggregate', TOPICS.eventsRaw.name, 500, 1000, ['hot', 'push']),
  defineAggregatorMapping('warehouse', TOPICS.eventsRaw.name, 5000, 5000, ['warm']),
  defineAggregatorMapping('archive', TOPICS.eventsRaw.name, 10000, 30000, ['cold']),
];

const orFixture = (path: string, fixture = FIXTURE_HANDLER) => (existsSync(path) ? path : fixture);

/** The repository's catalog, with fixtures standing in for entries not written yet. */
export function testCatalog(): SpateCatalog {
  const real = repositoryCatalog(REPO_ROOT, MAPPINGS.length > 0 ? MAPPINGS : FIXTURE_MAPPINGS);
  return {
    ...real,
    ingest: orFixture(real.ingest),
    query: orFixture(real.query),
    push: orFixture(real.push),
    pushAuthorizer: orFixture(real.pushAuthorizer),
    aggregators: real.aggregators.map((a) => ({ ...a, entry: orFixture(a.entry) })),
    nlpImage: existsSync(join(real.nlpImage, 'Dockerfile')) ? real.nlpImage : join(FIXTURES, 'nlp'),
  };
}

export interface Synthesized {
  readonly stack: SpateStack;
  readonly template: Template;
  /** cdk-nag findings left after the suppressions: "rule: path: reason". */
  readonly findings: string[];
}

/** One synth per configuration and file: bundling every function with esbuild is the slow part. */
export function synthesize(config: SpateConfig, catalog: SpateCatalog = testCatalog()): Synthesized {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'spate-cdk-')) });
  const stack = new SpateStack(app, `Spate-${config.name}`, { config, catalog });
  applyNagSuppressions(stack);
  const template = Template.fromStack(stack);
  const report = new AwsSolutionsChecks(app).validateScope(stack);
  const findings = report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath ?? r.resourceLogicalId}`),
  );
  return { stack, template, findings };
}
