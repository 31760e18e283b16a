import { Engine, type EngineOptions } from './engine.ts';

/**
 * chDB binds one data directory per process, and a second engine thread on the same
 * directory breaks the first one when it closes (its statements never settle again).
 * Endpoints in one process on one directory therefore share a single engine, closed when
 * the last of them closes.
 */
interface Shared {
  readonly engine: Promise<Engine>;
  users: number;
}

const engines = new Map<string, Shared>();

export interface EngineLease {
  readonly engine: Engine;
  release(): Promise<void>;
}

export async function acquireEngine(options: EngineOptions): Promise<EngineLease> {
  let shared = engines.get(options.dataDir);
  if (!shared) {
    shared = { engine: Engine.start(options), users: 0 };
    engines.set(options.dataDir, shared);
    const starting = shared;
    starting.engine.catch(() => {
      if (engines.get(options.dataDir) === starting) engines.delete(options.dataDir);
    });
  }
  shared.users += 1;
  const held = shared;
  let engine: Engine;
  try {
    engine = await held.engine;
  } catch (err) {
    held.users -= 1;
    throw err;
  }
  let released = false;
  return {
    engine,
    async release() {
      if (released) return;
      released = true;
      held.users -= 1;
      if (held.users > 0) return;
      if (engines.get(options.dataDir) === held) engines.delete(options.dataDir);
      await engine.close();
    },
  };
}
