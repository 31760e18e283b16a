import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAPPINGS } from '../../../core/mappings.ts';
import { type HandlerKind, handlerKind } from '../../../lambdas/spate-handler.ts';
import { REPO_ROOT, repositoryCatalog } from '../../../lib/catalog.ts';

/**
 * Every Lambda handler of the project is built by lambdas/spate-handler.ts: Powertools Logger,
 * Metrics and Tracer, and for the HTTP and WebSocket routes the one error middleware. A handler
 * wired any other way fails here, whether the stack deploys it (lib/catalog.ts) or not yet.
 */

const LAMBDAS = join(REPO_ROOT, 'lambdas');

/**
 * Handler modules another change brought in before this rule; each is to move onto the wrapper,
 * and the test below fails once one has, so the entry is taken out here.
 */
const NOT_YET_WRAPPED = new Set<string>([]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const EXPORTS_HANDLER = /^export\s+(?:const|let|(?:async\s+)?function)\s+handler\b/m;

/** Every module under lambdas/ that exports a `handler`, found by reading the source. */
const exporting = sourceFiles(LAMBDAS).filter((path) => EXPORTS_HANDLER.test(readFileSync(path, 'utf8')));

const catalog = repositoryCatalog({ mappings: MAPPINGS, routes: { ingest: [], query: [] } });

/** What the stack deploys, and how each must answer: HTTP routes answer errors, the rest propagate them. */
const deployed: readonly (readonly [string, HandlerKind])[] = [
  [catalog.ingest.entry, 'http'],
  [catalog.query.entry, 'http'],
  [catalog.wsConnect, 'http'],
  [catalog.wsSubscribe, 'http'],
  [catalog.wsAuthorizer, 'event'],
  [catalog.topicProvisioner, 'event'],
  ...catalog.aggregators.map((a) => [a.entry, 'event'] as const),
];

async function kindOf(path: string): Promise<HandlerKind | undefined> {
  const module = (await import(pathToFileURL(path).href)) as { handler?: unknown };
  return handlerKind(module.handler);
}

describe('Lambda handler modules', () => {
  it('finds the handler modules the stack deploys by reading lambdas/', () => {
    const found = new Set(exporting);
    for (const [entry] of deployed) expect(found, relative(REPO_ROOT, entry)).toContain(entry);
  });

  it.each(deployed.map(([entry, kind]): [string, HandlerKind] => [relative(REPO_ROOT, entry), kind]))(
    '%s is built by the wrapper as a %s handler',
    async (entry, kind) => {
      expect(await kindOf(join(REPO_ROOT, entry))).toBe(kind);
    },
    30_000,
  );

  it('builds every handler exported under lambdas/ with the wrapper', async () => {
    const unwrapped: string[] = [];
    for (const path of exporting) {
      const name = relative(REPO_ROOT, path);
      const wrapped = (await kindOf(path)) !== undefined;
      if (NOT_YET_WRAPPED.has(name)) {
        expect(wrapped, `${name} is wrapped now: take it out of NOT_YET_WRAPPED`).toBe(false);
        continue;
      }
      if (!wrapped) unwrapped.push(name);
    }
    expect(unwrapped, 'build these with httpHandler or eventHandler (lambdas/spate-handler.ts)').toEqual([]);
  }, 60_000);
});

describe('Spate errors', () => {
  /**
   * The local ClickHouse server reproduces ClickHouse's own exception (its numeric code and name,
   * verbatim, for @clickhouse/client): it is ClickHouse's error, not one Spate answers with.
   */
  const FOREIGN = new Set(['ClickHouseException']);
  /** Brought in by another change before this rule; to move onto the families of spate-error.ts. */
  const NOT_YET_SPATE_ERRORS = new Set([
    'bin/import/import-run.ts: InputError',
    'bin/import/import-sender.ts: ImportAborted',
  ]);

  it('all extend SpateError (core/errors/spate-error.ts), none Error directly', () => {
    const direct = ['core', 'io', 'lambdas', 'local', 'bin']
      .flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))
      .flatMap((path) =>
        [...readFileSync(path, 'utf8').matchAll(/class\s+(\w+)\s+extends\s+Error\b/g)].map(
          (m) => `${relative(REPO_ROOT, path)}: ${m[1]}`,
        ),
      )
      .filter((line) => !FOREIGN.has(line.split(': ')[1] ?? '') && !line.endsWith(': SpateError'))
      .filter((line) => !NOT_YET_SPATE_ERRORS.has(line));
    expect(direct).toEqual([]);
  });
});
