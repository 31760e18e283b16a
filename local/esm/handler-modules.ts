import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MappingDefinition } from '../../core/mappings.ts';
import { containerPool } from './container-pool.ts';
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

/** A module's `handler` export, or an error that names the function and the module. */
async function importHandler(path: string, functionName: string, container: number): Promise<MskHandler> {
  // A query makes a module instance of its own: each container has its own module state.
  const url = `${pathToFileURL(path).href}${container === 0 ? '' : `?container=${container}`}`;
  const module = (await import(url)) as { handler?: unknown };
  if (typeof module.handler !== 'function') {
    throw new Error(`${functionName}: ${path} must export a function named "handler"`);
  }
  return module.handler as MskHandler;
}

/**
 * Imports each mapping's `handler` export, in process, as Lambda would load it: one container
 * now, and one more whenever every container of the function is busy (container-pool.ts). A
 * function fed by several mappings (the broadcaster) has one pool, as it has one set of
 * containers on Lambda: two pools would hand the same module instance two invocations at once.
 */
export async function loadMappedHandlers(
  handlersDir: string,
  mappings: readonly MappingDefinition[],
): Promise<MappedHandler[]> {
  const pools = new Map<string, Promise<MskHandler>>();
  const poolOf = (functionName: string): Promise<MskHandler> => {
    let pool = pools.get(functionName);
    if (!pool) {
      const path = handlerPath(handlersDir, functionName);
      const start = (n: number) => importHandler(path, functionName, n);
      pool = (async () => {
        if (!existsSync(path)) throw new Error(`${functionName}: handler module ${path} does not exist`);
        return containerPool(start, await start(0)).invoke;
      })();
      pools.set(functionName, pool);
    }
    return pool;
  };
  return Promise.all(
    mappings.map(async (definition) => ({ definition, handler: await poolOf(definition.functionName) })),
  );
}
