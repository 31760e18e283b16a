import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAPPINGS, type MappingDefinition } from '../core/mappings.ts';

/** What an aggregator's code reaches besides its own topic; each grant follows from this. */
export type SinkAccess = 'hot' | 'warehouse' | 'archive' | 'push';

export interface AggregatorEntry {
  readonly mapping: MappingDefinition;
  /** Absolute path of the handler module (lambdas/<functionName>/handler.ts). */
  readonly entry: string;
  readonly access: readonly SinkAccess[];
}

/**
 * Every piece of code the stack deploys, by path only: lib/ never imports runtime code.
 * The stack composes its functions and images from one catalog, so tests can point a part
 * at a fixture while the real entry is still being written.
 */
export interface SpateCatalog {
  readonly ingest: string;
  readonly query: string;
  /** Handles the WebSocket $connect, $disconnect and subscribe routes. */
  readonly push: string;
  /** Lambda REQUEST authorizer of the WebSocket $connect route. */
  readonly pushAuthorizer: string;
  readonly aggregators: readonly AggregatorEntry[];
  /** Custom resource that creates the topics on MSK. */
  readonly topicProvisioner: string;
  /** Directory with the NLP worker's Dockerfile. */
  readonly nlpImage: string;
  /** Directory with the ClickHouse server image (Dockerfile + config). */
  readonly clickhouseImage: string;
  /** Built dashboard (index.html and assets); absent deploys the site bucket empty. */
  readonly dashboardSite?: string;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The sinks each known aggregator writes; an unknown one gets only its topic. */
const ACCESS_BY_FUNCTION: Readonly<Record<string, readonly SinkAccess[]>> = {
  aggregate: ['hot', 'push'],
  realtime: ['hot', 'push'],
  windows: ['hot'],
  funnels: ['hot'],
  warehouse: ['warehouse'],
  archive: ['archive'],
};

export function accessFor(functionName: string): readonly SinkAccess[] {
  return ACCESS_BY_FUNCTION[functionName] ?? [];
}

const lambdaEntry = (root: string, name: string) => join(root, 'lambdas', name, 'handler.ts');

/** The real entries of the repository. */
export function repositoryCatalog(
  root = REPO_ROOT,
  mappings: readonly MappingDefinition[] = MAPPINGS,
): SpateCatalog {
  const site = join(root, 'dashboard', 'dist');
  return {
    ingest: lambdaEntry(root, 'ingest'),
    query: lambdaEntry(root, 'query'),
    push: lambdaEntry(root, 'push'),
    pushAuthorizer: lambdaEntry(root, 'push-authorizer'),
    aggregators: mappings.map((mapping) => ({
      mapping,
      entry: lambdaEntry(root, mapping.functionName),
      access: accessFor(mapping.functionName),
    })),
    topicProvisioner: join(root, 'lib', 'streaming', 'topic-provisioner.handler.ts'),
    nlpImage: join(root, 'containers', 'nlp'),
    clickhouseImage: join(root, 'containers', 'clickhouse'),
    ...(existsSync(join(site, 'index.html')) ? { dashboardSite: site } : {}),
  };
}

/** Paths the catalog names that are not on disk; synth of such a catalog would fail late and vaguely. */
export function missingEntries(catalog: SpateCatalog): string[] {
  const files = [
    ['ingest', catalog.ingest],
    ['query', catalog.query],
    ['push', catalog.push],
    ['pushAuthorizer', catalog.pushAuthorizer],
    ['topicProvisioner', catalog.topicProvisioner],
    ...catalog.aggregators.map((a) => [`aggregator ${a.mapping.functionName}`, a.entry]),
    ['nlpImage', join(catalog.nlpImage, 'Dockerfile')],
    ['clickhouseImage', join(catalog.clickhouseImage, 'Dockerfile')],
  ] as const;
  return files.filter(([, path]) => !existsSync(path)).map(([part, path]) => `${part}: ${path}`);
}
