import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PORTS, type PortName } from '../../local/ports.ts';
import { type RunningStack, startLocalStack } from '../../local/stack/run.ts';
import { readLocalSettings } from '../../local/stack/settings.ts';
import { freePorts } from '../support/free-ports.ts';

const root = join(import.meta.dirname, '../..');

export interface FaultStack extends RunningStack {
  readonly dataDir: string;
  /** The pid of a component now, for kill -9. */
  pidOf(name: string): number;
  /** Resolves once the component is healthy (after start(name)). */
  healthy(name: string, timeoutMs?: number): Promise<void>;
  /** kill -9, then resolves once the supervisor has it running and answering again. */
  killHard(name: string, timeoutMs?: number): Promise<void>;
  /**
   * kill -9, then starts it again at once, as Lambda retries a batch whose invocation died,
   * instead of after the supervisor's crash-loop backoff (which grows to 15 s when kills come
   * faster than every 30 s, and would make a hundred kills a half-hour test of the backoff).
   */
  killAndRestart(name: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The whole local stack (`spate local --no-demo`) on free ports in a temp dir. */
export async function startFaultStack(log: (line: string) => void = () => undefined): Promise<FaultStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-faults-'));
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((n, i) => [n, free[i]!]));
  const settings = readLocalSettings({ dataDir, demo: false, ports }, {}, root, root);
  let stack: RunningStack;
  try {
    stack = await startLocalStack(settings, log);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const component = (name: string) => {
    const found = stack.supervisor.health().find((c) => c.name === name);
    if (!found) throw new Error(`component: no component named "${name}"`);
    return found;
  };
  const healthy = async (name: string, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (component(name).state !== 'healthy') {
      if (Date.now() > deadline) throw new Error(`${name}: not healthy after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    ...stack,
    dataDir,
    pidOf(name) {
      const pid = component(name).pid;
      if (pid === undefined) throw new Error(`${name}: not running`);
      return pid;
    },
    healthy,
    async killHard(name, timeoutMs = 90_000) {
      const pid = component(name).pid;
      if (pid === undefined) throw new Error(`${name}: not running`);
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = component(name);
        if (now.state === 'healthy' && now.pid !== undefined && now.pid !== pid) return;
        if (Date.now() > deadline) throw new Error(`${name}: not back ${timeoutMs} ms after kill -9`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async killAndRestart(name, timeoutMs = 90_000) {
      const pid = component(name).pid;
      if (pid === undefined) throw new Error(`${name}: not running`);
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + timeoutMs;
      // The supervisor sees the exit first (its restart timer then runs), so stop() clears that timer.
      while (component(name).pid === pid) {
        if (Date.now() > deadline) throw new Error(`${name}: still running ${timeoutMs} ms after kill -9`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await stack.supervisor.stop(name);
      await stack.supervisor.start(name);
      await healthy(name, Math.max(1000, deadline - Date.now()));
    },
    async close() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
