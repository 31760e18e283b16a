import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MappingDefinition } from '../core/mappings.ts';

export interface AggregatorEntry {
  /** Topic, group, batching and what the function writes (its `writes` decide every grant). */
  readonly mapping: MappingDefinition;
  /** Absolute path of the handler module (lambdas/<functionName>/handler.ts). */
  readonly entry: string;
}

/** A function behind an HTTP API, with the route keys ("POST /v1/events") its module serves. */
export interface HttpEntry {
  readonly entry: string;
  readonly routeKeys: readonly string[];
}

/** A container image: the build context and the Dockerfile inside it. */
export interface ImageEntry {
  readonly directory: string;
  /** Dockerfile path relative to `directory`. */
  readonly file: string;
  /** Paths of the context the build needs (Docker ignore syntax: everything else stays out). */
  readonly include?: readonly string[];
}

/**
 * Every piece of code and content the stack deploys, by path only: lib/ never imports runtime
 * code. The route keys come from the handler modules themselves (bin/app.ts and the tests read
 * them there), so the stack serves exactly what the functions answer.
 */
export interface SpateCatalog {
  readonly ingest: HttpEntry;
  readonly query: HttpEntry;
  /** Lambda REQUEST authorizer of the WebSocket $connect route (dashboard token in ?token=). */
  readonly wsAuthorizer: string;
  /** The WebSocket $connect and $disconnect routes. */
  readonly wsConnect: string;
  /** The WebSocket subscribe and unsubscribe routes. */
  readonly wsSubscribe: string;
  readonly aggregators: readonly AggregatorEntry[];
  /** Custom resource handler that creates the topics on MSK. */
  readonly topicProvisioner: string;
  /** Compaction of the events archive, run daily on a schedule. */
  readonly compact: string;
  readonly nlpImage: ImageEntry;
  /** The shipped NLP model directory (model.onnx, tokenizer, config), uploaded to the model bucket. */
  readonly nlpModel: string;
  readonly clickhouseImage: ImageEntry;
  /** The built dashboard (index.html and assets), deployed to the site bucket. */
  readonly dashboardSite: string;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface RepositoryCatalogOptions {
  readonly mappings: readonly MappingDefinition[];
  readonly routes: { readonly ingest: readonly string[]; readonly query: readonly string[] };
  /** @default the repository this file is in */
  readonly root?: string;
}

const lambdaEntry = (root: string, ...path: string[]) => join(root, 'lambdas', ...path);

/** The real entries of the repository. */
export function repositoryCatalog(options: RepositoryCatalogOptions): SpateCatalog {
  const root = options.root ?? REPO_ROOT;
  return {
    ingest: { entry: lambdaEntry(root, 'ingest', 'handler.ts'), routeKeys: options.routes.ingest },
    query: { entry: lambdaEntry(root, 'query', 'handler.ts'), routeKeys: options.routes.query },
    wsAuthorizer: lambdaEntry(root, 'connect', 'authorizer.ts'),
    wsConnect: lambdaEntry(root, 'connect', 'handler.ts'),
    wsSubscribe: lambdaEntry(root, 'subscribe', 'handler.ts'),
    aggregators: options.mappings.map((mapping) => ({
      mapping,
      entry: lambdaEntry(root, mapping.functionName, 'handler.ts'),
    })),
    topicProvisioner: lambdaEntry(root, 'topics', 'handler.ts'),
    compact: lambdaEntry(root, 'compact', 'handler.ts'),
    // The worker's Dockerfile builds from the repository root (it copies core/, io/ and the lock file).
    nlpImage: {
      directory: root,
      file: 'containers/nlp/Dockerfile',
      include: [
        'package.json',
        'package-lock.json',
        // npm ci runs patch-package on these (the kafkajs fix the worker's transactions rely on).
        'patches',
        'tsconfig.json',
        'core',
        'io/config',
        'io/kafka',
        'io/process',
        'containers/nlp',
      ],
    },
    nlpModel: join(root, 'containers', 'nlp', 'model'),
    clickhouseImage: { directory: join(root, 'containers', 'clickhouse'), file: 'Dockerfile' },
    dashboardSite: join(root, 'dashboard', 'dist'),
  };
}

/** Paths the catalog names that are not on disk, each with what to do about it. */
export function missingEntries(catalog: SpateCatalog): string[] {
  const files: [string, string, string?][] = [
    ['ingest', catalog.ingest.entry],
    ['query', catalog.query.entry],
    ['wsAuthorizer', catalog.wsAuthorizer],
    ['wsConnect', catalog.wsConnect],
    ['wsSubscribe', catalog.wsSubscribe],
    ['topicProvisioner', catalog.topicProvisioner],
    ['compact', catalog.compact],
    ...catalog.aggregators.map((a): [string, string] => [`aggregator ${a.mapping.functionName}`, a.entry]),
    ['nlpImage', join(catalog.nlpImage.directory, catalog.nlpImage.file)],
    ['nlpModel', join(catalog.nlpModel, 'model.onnx')],
    ['clickhouseImage', join(catalog.clickhouseImage.directory, catalog.clickhouseImage.file)],
    [
      'dashboardSite',
      join(catalog.dashboardSite, 'index.html'),
      'the dashboard is not built: run `npm run prepare` (vite build) first',
    ],
  ];
  return files
    .filter(([, path]) => !existsSync(path))
    .map(([part, path, hint]) => `${part}: ${path}${hint ? ` (${hint})` : ''}`);
}

/** Throws one error listing every missing entry, or returns the catalog unchanged. */
export function requireEntries(catalog: SpateCatalog): SpateCatalog {
  const missing = missingEntries(catalog);
  if (missing.length > 0)
    throw new Error(
      `These parts of Spate are not on disk, so the stack cannot be synthesised:\n  - ${missing.join('\n  - ')}`,
    );
  return catalog;
}
