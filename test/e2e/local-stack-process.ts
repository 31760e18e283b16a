import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_PORTS, type PortName } from '../../local/ports.ts';
import type { LocalEndpoints } from '../../local/stack/endpoints.ts';
import { freePorts } from '../support/free-ports.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The dashboard as `npm install` builds it; built here when a fresh clone has not yet. */
export function ensureDashboardBuilt(): string {
  const dist = join(ROOT, 'dashboard', 'dist');
  if (!existsSync(join(dist, 'index.html')))
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'dashboard/vite.config.ts'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  return dist;
}

export interface LocalStackProcess {
  readonly endpoints: LocalEndpoints;
  readonly dataDir: string;
  readonly log: () => string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** How long the stack may take to say it is running. @default 180_000 */
  readonly timeoutMs?: number;
  /** Run the demo traffic, as `npm start` does. @default false (a test sends its own) */
  readonly demo?: boolean;
}

/** `spate local` as a user runs it, on free ports and a throwaway data dir. */
export async function startLocalStackProcess(options: LocalStackOptions = {}): Promise<LocalStackProcess> {
  const { timeoutMs = 180_000, demo = false } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-e2e-'));
  // Every port, so a `spate local` already running on the defaults never collides with this one.
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const free = await freePorts(names.length);
  const args = [
    join(ROOT, 'bin', 'spate.js'),
    'local',
    ...(demo ? [] : ['--no-demo']),
    '--data-dir',
    dataDir,
  ];
  for (const [i, name] of names.entries()) args.push(`--${name}-port`, String(free[i]));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const file = join(dataDir, 'endpoints.json');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file) || !output.includes('Spate is running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`spate local did not start:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    endpoints: JSON.parse(readFileSync(file, 'utf8')) as LocalEndpoints,
    dataDir,
    log: () => output,
    stop,
  };
}
