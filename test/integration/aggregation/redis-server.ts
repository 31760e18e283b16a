import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { findRedisServer } from '../../../local/redis/install.ts';
import { freePort } from '../../support/free-ports.ts';

export interface TestRedis {
  readonly url: string;
  readonly client: Redis;
  stop(): Promise<void>;
}

/** A throwaway redis-server without persistence on a free port; stop() kills it. */
export async function startTestRedis(): Promise<TestRedis> {
  const binary = findRedisServer(process.env.PATH);
  if (!binary) throw new Error('redis-server must be installed (apt-get install redis-server)');
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (err) {
      client.disconnect();
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    client,
    async stop() {
      client.disconnect();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
