import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MappingDefinition } from '../../core/mappings.ts';
import type { MskHandler } from './partition-feed.ts';
import type { MappedHandler } from './runner.ts';

/** Where a mapping's function lives: the same module the CDK stack bundles (lambdas/). */
export function handlerPath(handlersDir: string, functionName: string): string {
  return join(handlersDir, functionName, 'handler.ts');
}

/** The mappings to run: all of them, or those named, with an error for a name that is unknown. */
export function selectMappings(
  mappings: readonly MappingDefinition[],
  functions: readonly string[] | undefined,
): MappingDefinition[] {
  if (!functions) return [...mappings];
  const known = new Set(mappings.map((m) => m.functionName));
  const unknown = functions.filter((f) => !known.has(f));
  if (unknown.length > 0) {
    throw new Error(
      `functions: ${unknown.join(', ')} has no mapping in core/mappings.ts (known: ${[...known].join(', ') || 'none'})`,
    );
  }
  return mappings.filter((m) => functions.includes(m.functionName));
}

/** Imports each mapping's `handler` export, in process, as Lambda would load it. */
export async function loadMappedHandlers(
  handlersDir: string,
  mappings: readonly MappingDefinition[],
): Promise<MappedHandler[]> {
  return Promise.all(
    mappings.map(async (definition) => {
      const path = handlerPath(handlersDir, definition.functionName);
      if (!existsSync(path))
        throw new Error(`${definition.functionName}: handler module ${path} does not exist`);
      const module = (await import(pathToFileURL(path).href)) as { handler?: unknown };
      if (typeof module.handler !== 'function') {
        throw new Error(`${definition.functionName}: ${path} must export a function named "handler"`);
      }
      return { definition, handler: module.handler as MskHandler };
    }),
  );
}
