// The CDK app: `npx cdk synth|deploy -c env=dev|prod`. Environment-agnostic on purpose, so
// synth needs no credentials and no look-ups; the account and region come from the deploy.
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MAPPINGS } from '../core/mappings.ts';
import { INGEST_ROUTE_KEYS } from '../lambdas/ingest/routes.ts';
import { QUERY_ROUTE_KEYS } from '../lambdas/query/routes.ts';
import { repositoryCatalog, requireEntries } from '../lib/catalog.ts';
import { resolveConfig } from '../lib/config-validation.ts';
import { spateGuardValidator } from '../lib/guard-acknowledgements.ts';
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

const app = new App();
const envName = app.node.tryGetContext('env') ?? 'dev';
const config = resolveConfig(envName, contextObject(app, `spate:${envName}`));
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
// AWS Control Tower's proactive controls as cfn-guard rules, less those acknowledged with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), spateGuardValidator());
app.synth();
