import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { findRedisServer } from '../../../local/redis/install.ts';
import { redisComponent } from '../../../local/redis/spec.ts';
import { Supervisor } from '../../../local/supervisor/supervisor.ts';
import { freePort } from '../../support/free-ports.ts';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Supervisor', () => {
  const dirs: string[] = [];
  let supervisor: Supervisor | undefined;

  afterEach(async () => {
    await supervisor?.stopAll();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('starts redis-server, restarts it after kill -9 with its data, holds it down when stopped by name, and stops it for good', async () => {
    const binary = findRedisServer(process.env.PATH);
    expect(binary, 'redis-server must be installed (.ci/run installs it)').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'spate-sup-'));
    dirs.push(dir);
    const port = await freePort();
    const messages: string[] = [];
    supervisor = new Supervisor(join(dir, 'logs'), (m) => messages.push(m));
    await supervisor.startAll([redisComponent(binary!, port, dir)]);

    const redis = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: null });
    redis.on('error', () => undefined); // expected while redis-server is down
    await redis.connect();
    await redis.set('kept', 'yes');
    const [first] = supervisor.health();
    expect(first).toMatchObject({ name: 'redis', state: 'healthy', restarts: 0 });

    process.kill(first!.pid!, 'SIGKILL');
    await until(
      () => supervisor!.health()[0]!.state === 'healthy' && supervisor!.health()[0]!.restarts === 1,
    );
    const [after] = supervisor.health();
    expect(after!.pid).not.toBe(first!.pid);
    expect(after!.lastExit).toBe('killed by SIGKILL');
    expect(messages.some((m) => m.includes('redis killed by SIGKILL; restarting'))).toBe(true);
    expect(await redis.get('kept')).toBe('yes');
    redis.disconnect();

    // A component stopped by name stays down, with no restart, until it is started again.
    await supervisor.stop('redis');
    expect(isRunning(after!.pid!)).toBe(false);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(supervisor.health()[0]).toMatchObject({ state: 'stopped', pid: undefined, restarts: 1 });
    await supervisor.start('redis');
    const [again] = supervisor.health();
    expect(again!.state).toBe('healthy');
    const reconnected = new Redis({ port, lazyConnect: true });
    await reconnected.connect();
    expect(await reconnected.get('kept')).toBe('yes');
    reconnected.disconnect();

    await supervisor.stopAll();
    expect(isRunning(again!.pid!)).toBe(false);
    expect(supervisor.health()[0]!.state).toBe('stopped');
  });

  it('reports a component that cannot start, with its own words, and leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spate-sup-'));
    dirs.push(dir);
    supervisor = new Supervisor(join(dir, 'logs'), () => undefined);
    const broken = {
      name: 'broken',
      command: process.execPath,
      args: ['-e', 'console.error("cannot open data dir"); process.exit(3)'],
      port: await freePort(),
      startTimeoutMs: 5_000,
    };
    await expect(supervisor.startAll([broken])).rejects.toThrow(
      /broken did not start[\s\S]*cannot open data dir/,
    );
    expect(supervisor.health()[0]!.pid).toBeUndefined();
  });
});
