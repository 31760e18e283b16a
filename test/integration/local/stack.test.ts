import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, type PortName } from '../../../local/ports.ts';
import type { LocalEndpoints } from '../../../local/stack/endpoints.ts';
import { freePorts } from '../../support/free-ports.ts';

const root = join(import.meta.dirname, '../../..');

/** Every live descendant of a process, read from /proc so no extra tool is needed. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        frontier.push(child);
      }
    }
  }
  return found;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('spate local', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spate-local-'));
  let stack: ChildProcess | undefined;
  let output = '';

  afterAll(() => {
    if (stack?.pid && isRunning(stack.pid)) stack.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts every component, reports them healthy, and leaves no process behind on Ctrl-C', async () => {
    const names = Object.keys(DEFAULT_PORTS) as PortName[];
    const free = await freePorts(names.length);
    const ports = Object.fromEntries(names.map((name, i) => [name, free[i]!])) as Record<PortName, number>;
    stack = spawn(
      process.execPath,
      [
        join(root, 'bin/spate.js'),
        ...['local', '--no-demo', '--data-dir', dataDir],
        ...names.flatMap((name) => [`--${name}-port`, String(ports[name])]),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    stack.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    stack.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });

    const endpointsFile = join(dataDir, 'endpoints.json');
    const endpoints = await until(
      () =>
        existsSync(endpointsFile)
          ? (JSON.parse(readFileSync(endpointsFile, 'utf8')) as LocalEndpoints)
          : undefined,
      90_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; output so far:\n${output}`);
    });
    expect(endpoints.http).toBe(`http://127.0.0.1:${ports.gateway}`);
    expect(endpoints.kafka).toBe(`127.0.0.1:${ports.kafka}`);
    expect(endpoints.writeKey).toMatch(/^wk_demo_/);
    expect(output).toContain('Spate is running');
    expect(output).toContain(endpoints.dashboard);

    const health = await fetch(endpoints.health);
    const report = (await health.json()) as {
      status: string;
      components: Record<string, { healthy: boolean }>;
    };
    expect(health.status).toBe(200);
    expect(report.status).toBe('ok');
    for (const name of [
      'gateway',
      'http-api',
      'websocket-api',
      'kafka',
      'redis',
      'clickhouse',
      's3',
      'esm',
      'nlp',
    ]) {
      expect(report.components[name], name).toMatchObject({ healthy: true });
    }

    // The gateway hosts the ingest function: an event sent with the demo write key is accepted.
    const sent = await fetch(`${endpoints.http}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${endpoints.writeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        event_id: '0b6c7b52-8f0e-4f4c-9a55-3d1f7f8e2a10',
        type: 'page_view',
        user_id: 'u1',
      }),
    });
    expect(await sent.json()).toMatchObject({ accepted: 1, rejected: 0 });

    const children = descendants(stack.pid!);
    // Every server, both gateway APIs (the HTTP one with its workers), the emulator and the worker.
    expect(children.length).toBeGreaterThanOrEqual(10);
    const exited = new Promise<number | null>((r) => stack!.once('exit', (code) => r(code)));
    stack.kill('SIGINT');
    expect(await exited).toBe(0);
    await until(() => (children.every((pid) => !isRunning(pid)) ? true : undefined), 15_000).catch(() => {
      throw new Error(`still running after Ctrl-C: ${children.filter(isRunning).join(', ')}`);
    });
  });
});
