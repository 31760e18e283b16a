// The CDK app: `npx cdk synth|deploy -c env=dev|prod`. Environment-agnostic on purpose, so
// synth needs no credentials and no look-ups; the account and region come from the deploy.
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MAPPINGS } from '../core/mappings.ts';
import { INGEST_ROUTE_KEYS } from '../lambdas/ingest/routes.ts';
import { QUERY_ROUTE_KEYS } from '../lambdas/query/routes.ts';
import { repositoryCatalog, requireEntries } from '../lib/catalog.ts';
import { resolveConfig } from '../lib/config-validation.ts';
import { applyNagSuppressions } from '../lib/nag-suppressions.ts';
import { SpateStack } from '../lib/spate-stack.ts';

/** `-c key=value` arrives as a string; an override object may be given as JSON that way. */
function contextObject(app: App, key: string): unknown {
  const value: unknown = app.node.tryGetContext(key);
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(`context ${key} must be a JSON object of configuration overrides (got ${value})`);
  }
}

/** `-c secretsRevision=N` after changing a secret the query function reads (see docs/deploy.md). */
function withSecretsRevision(override: unknown, raw: unknown): unknown {
  const isObject = typeof override === 'object' && override !== null && !Array.isArray(override);
  if (raw === undefined || (override !== undefined && !isObject)) return override;
  return { ...(override as object | undefined), secretsRevision: Number(raw) };
}

const app = new App();
const envName = app.node.tryGetContext('env') ?? 'dev';
const config = resolveConfig(
  envName,
  withSecretsRevision(contextObject(app, `spate:${envName}`), app.node.tryGetContext('secretsRevision')),
);
const catalog = requireEntries(
  repositoryCatalog({ mappings: MAPPINGS, routes: { ingest: INGEST_ROUTE_KEYS, query: QUERY_ROUTE_KEYS } }),
);

const stack = new SpateStack(app, `Spate-${config.name}`, {
  config,
  catalog,
  description: `Spate real-time event analytics (${config.name})`,
});
Tags.of(stack).add('spate:env', config.name);
applyNagSuppressions(stack);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
