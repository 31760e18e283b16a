import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { REPO_ROOT } from '../../lib/catalog.ts';
import { resolveConfig } from '../../lib/config-validation.ts';
import { formatReport, preflightClients, runPreflight } from './checks.ts';

interface PreflightOptions {
  readonly env: string;
  readonly region?: string;
  readonly json?: boolean;
}

/** The `spate:<env>` overrides of cdk.json, as `cdk deploy` merges them. */
function cdkJsonOverride(env: string): unknown {
  const cdk = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdk.context?.[`spate:${env}`];
}

/** `spate preflight`: is this account and region ready for `cdk deploy`? */
export function registerPreflight(program: Command): void {
  program
    .command('preflight')
    .description(
      'Check an AWS account before `cdk deploy`, with your credentials: G-instance quota against the GPU need, ' +
        'the API Gateway CloudWatch Logs role, the Kafka versions MSK offers, instance types in the chosen zones, ' +
        'CDK bootstrap. One row per check; exits 1 on a blocker.',
    )
    .option(
      '--env <name>',
      'configuration preset (dev or prod), with the spate:<env> overrides of cdk.json',
      'dev',
    )
    .option('--region <region>', 'region to check (default: AWS_REGION)')
    .option('--json', 'print the results as JSON')
    .action(async (options: PreflightOptions) => {
      const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
      if (!region) program.error('preflight needs a region: --region or AWS_REGION');
      const config = resolveConfig(options.env, cdkJsonOverride(options.env));
      const results = await runPreflight(config, region, preflightClients(region));
      process.stdout.write(`${options.json ? JSON.stringify(results, null, 2) : formatReport(results)}\n`);
      if (results.some((r) => r.status === 'blocker')) process.exitCode = 1;
    });
}
