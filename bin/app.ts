// The CDK app: `npx cdk synth|deploy -c env=dev|prod`. Environment-agnostic on purpose, so
// synth needs no credentials and no look-ups; the account and region come from the deploy.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { missingEntries, REPO_ROOT, repositoryCatalog, type SpateCatalog } from '../lib/catalog.ts';
import { resolveConfig } from '../lib/config-validation.ts';
import { applyNagSuppressions } from '../lib/nag-suppressions.ts';
import { SpateStack } from '../lib/spate-stack.ts';

const PLACEHOLDER_HANDLER = join(REPO_ROOT, 'test', 'infra', 'fixtures', 'handler.ts');
const PLACEHOLDER_IMAGE = join(REPO_ROOT, 'test', 'infra', 'fixtures', 'nlp');

/** With -c placeholders=true, parts not written yet synthesise with a stand-in, never silently otherwise. */
function withPlaceholders(catalog: SpateCatalog): SpateCatalog {
  const or = (path: string) => (existsSync(path) ? path : PLACEHOLDER_HANDLER);
  return {
    ...catalog,
    ingest: or(catalog.ingest),
    query: or(catalog.query),
    push: or(catalog.push),
    pushAuthorizer: or(catalog.pushAuthorizer),
    aggregators: catalog.aggregators.map((a) => ({ ...a, entry: or(a.entry) })),
    nlpImage: existsSync(join(catalog.nlpImage, 'Dockerfile')) ? catalog.nlpImage : PLACEHOLDER_IMAGE,
  };
}

const app = new App();
const envName = app.node.tryGetContext('env') ?? 'dev';
const config = resolveConfig(envName, app.node.tryGetContext(`spate:${envName}`));
const placeholders = [true, 'true'].includes(app.node.tryGetContext('placeholders'));
const catalog = placeholders ? withPlaceholders(repositoryCatalog()) : repositoryCatalog();
const missing = missingEntries(catalog);
if (missing.length > 0) {
  throw new Error(
    `These parts of Spate are not on disk, so the stack cannot be synthesised:\n  - ${missing.join('\n  - ')}\n` +
      'Add them, or synthesise with -c placeholders=true to stand in a no-op handler/image for each.',
  );
}

const stack = new SpateStack(app, `Spate-${config.name}`, {
  config,
  catalog,
  description: `Spate real-time event analytics (${config.name})`,
});
Tags.of(stack).add('spate:env', config.name);
applyNagSuppressions(stack);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
