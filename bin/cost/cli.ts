import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { Command } from 'commander';
import { MAPPINGS } from '../../core/mappings.ts';
import { INGEST_ROUTE_KEYS } from '../../lambdas/ingest/routes.ts';
import { QUERY_ROUTE_KEYS } from '../../lambdas/query/routes.ts';
import { REPO_ROOT, repositoryCatalog, requireEntries } from '../../lib/catalog.ts';
import type { SpateConfig } from '../../lib/config.ts';
import { resolveConfig } from '../../lib/config-validation.ts';
import { SpateStack } from '../../lib/spate-stack.ts';
import { costMarkdown, estimateCost } from './estimate.ts';

/** The README's story: a launch at 10M events an hour. */
export const DEFAULT_EVENTS_PER_HOUR = 10_000_000;

/** The stack's template as `cdk synth` makes it; bundling is skipped, prices need no code. */
export function synthesizedTemplate(config: SpateConfig): { Resources: Record<string, { Type: string }> } {
  const outdir = mkdtempSync(join(tmpdir(), 'spate-cost-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const catalog = requireEntries(
      repositoryCatalog({
        mappings: MAPPINGS,
        routes: { ingest: INGEST_ROUTE_KEYS, query: QUERY_ROUTE_KEYS },
      }),
    );
    const stack = new SpateStack(app, `Spate-${config.name}`, { config, catalog });
    return app.synth().getStackByName(stack.stackName).template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface CostOptions {
  readonly env: string;
  readonly json?: boolean;
  readonly eventsPerHour: string;
}

/** `spate cost`: the synthesized stack priced line by line. */
export function registerCost(program: Command): void {
  program
    .command('cost')
    .description(
      'Price the synthesized stack at us-east-1 list prices (bin/cost/price-table.ts, dated), line by line: ' +
        'idle, and at a stated traffic. The cost table of docs/deploy.md is this output.',
    )
    .option(
      '--env <name>',
      'configuration preset (dev or prod), with the spate:<env> overrides of cdk.json',
      'dev',
    )
    .option('--events-per-hour <n>', 'traffic to price', String(DEFAULT_EVENTS_PER_HOUR))
    .option('--json', 'print the estimate as JSON')
    .action((options: CostOptions) => {
      const cdk = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
        context?: Record<string, unknown>;
      };
      const config = resolveConfig(options.env, cdk.context?.[`spate:${options.env}`]);
      const eventsPerHour = Number(options.eventsPerHour);
      if (!Number.isFinite(eventsPerHour) || eventsPerHour <= 0)
        program.error(`--events-per-hour must be a positive number (got ${options.eventsPerHour})`);
      const estimate = estimateCost(synthesizedTemplate(config), config, { eventsPerHour });
      process.stdout.write(`${options.json ? JSON.stringify(estimate, null, 2) : costMarkdown(estimate)}\n`);
    });
}
