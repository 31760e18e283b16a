import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Component {
  readonly child: ChildProcess;
  readonly ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts a component process and waits for its `{"event":"ready"}` line. */
export function startComponent(args: string[], env: Record<string, string> = {}): Promise<Component> {
  // SPATE_BENCH_PROF=<dir> writes a CPU profile of each component there (--cpu-prof is not
  // accepted in NODE_OPTIONS).
  const profile = process.env.SPATE_BENCH_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SPATE_BENCH_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} not ready in 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    lines.on('line', (line) => {
      if (!line.startsWith('{"event":"ready"')) return;
      clearTimeout(timer);
      lines.removeAllListeners('line');
      // Keep draining stdout (EMF metric lines) so the child never blocks on a full pipe.
      child.stdout!.resume();
      resolve({
        child,
        ready: JSON.parse(line) as Record<string, unknown>,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
