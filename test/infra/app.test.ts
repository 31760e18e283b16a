import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { defineAggregatorMapping } from '../../core/mappings.ts';
import { missingEntries, REPO_ROOT, repositoryCatalog, requireEntries } from '../../lib/catalog.ts';

const run = promisify(execFile);
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'spate-app-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('catalog', () => {
  const routes = { ingest: ['POST /v1/events'], query: ['GET /v1/ops'] };

  it('names every entry that is not on disk, by part', () => {
    const root = tempDir();
    mkdirSync(join(root, 'lambdas', 'ingest'), { recursive: true });
    writeFileSync(join(root, 'lambdas', 'ingest', 'handler.ts'), 'export const handler = 1;');
    const catalog = repositoryCatalog({
      root,
      routes,
      mappings: [defineAggregatorMapping('realtime', 'events.raw', 10, 0, ['hot'])],
    });
    const missing = missingEntries(catalog);
    expect(missing).toContain(`query: ${join(root, 'lambdas', 'query', 'handler.ts')}`);
    expect(missing).toContain(`wsAuthorizer: ${join(root, 'lambdas', 'connect', 'authorizer.ts')}`);
    expect(missing).toContain(`topicProvisioner: ${join(root, 'lambdas', 'topics', 'handler.ts')}`);
    expect(missing).toContain(`aggregator realtime: ${join(root, 'lambdas', 'realtime', 'handler.ts')}`);
    expect(missing).toContain(`nlpImage: ${join(root, 'containers', 'nlp', 'Dockerfile')}`);
    expect(missing.some((m) => m.startsWith('ingest:'))).toBe(false);
  });

  it('says how to build the dashboard when dashboard/dist is missing, and refuses to go on', () => {
    const catalog = repositoryCatalog({ root: tempDir(), routes, mappings: [] });
    expect(() => requireEntries(catalog)).toThrow(
      /dashboardSite: .*dashboard\/dist\/index.html \(the dashboard is not built: run `npm run prepare`/,
    );
  });

  it('finds every entry of this repository, with the route keys it was given', () => {
    const catalog = requireEntries(repositoryCatalog({ routes, mappings: [] }));
    expect(catalog.ingest.routeKeys).toEqual(['POST /v1/events']);
    expect(catalog.nlpImage).toMatchObject({ directory: REPO_ROOT, file: 'containers/nlp/Dockerfile' });
  });
});

describe('CDK app entry', () => {
  it('refuses an unknown environment before building anything', async () => {
    const outdir = tempDir();
    const failure = await run('npx', ['tsx', 'bin/app.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ env: 'staging' }) },
    }).then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    expect(failure).toContain('context env must be "dev" or "prod" (got staging)');
  });

  it('reports a bad override by field name', async () => {
    const outdir = tempDir();
    const failure = await run('npx', ['tsx', 'bin/app.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ env: 'dev', 'spate:dev': { nlp: { maxTasks: 0 } } }),
      },
    }).then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    expect(failure).toContain('nlp.maxTasks must be an integer >= 1 (got 0)');
  });

  it('takes an override given as JSON on the command line, and checks it', async () => {
    const outdir = tempDir();
    const failure = await run('npx', ['tsx', 'bin/app.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({
          env: 'prod',
          'spate:prod': '{"streaming":{"mode":"provisioned","brokerCount":4}}',
        }),
      },
    }).then(
      () => '',
      (err: { stderr: string }) => err.stderr,
    );
    expect(failure).toContain('streaming.brokerCount must be a multiple of maxAzs (4 % 3 != 0)');
  });
});
