import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';

const MAIN = fileURLToPath(new URL('../../../local/clickhouse/main.ts', import.meta.url));

let dataDir: string;
let processDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spate-ch-lifecycle-'));
  processDir = await mkdtemp(join(tmpdir(), 'spate-ch-process-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
  await rm(processDir, { recursive: true, force: true });
});

describe('ClickHouse endpoint lifecycle', () => {
  it('keeps data across a restart on the same data dir', async () => {
    const first = await startClickHouseEndpoint({ port: 0, dataDir });
    const before = createClient({ url: first.url });
    await before.command({
      query: 'CREATE TABLE kept (id UInt32, note String) ENGINE = MergeTree ORDER BY id',
    });
    await before.insert({
      table: 'kept',
      values: Array.from({ length: 1234 }, (_, id) => ({ id, note: `n${id}` })),
      format: 'JSONEachRow',
    });
    await before.close();
    await first.close();

    const second = await startClickHouseEndpoint({ port: 0, dataDir });
    const after = createClient({ url: second.url });
    try {
      const rs = await after.query({
        query: 'SELECT count() AS n, max(note) AS top FROM kept',
        format: 'JSONEachRow',
      });
      expect(await rs.json()).toEqual([{ n: 1234, top: 'n999' }]);
    } finally {
      await after.close();
      await second.close();
    }
  });

  it('answers ping while a slow query runs', async () => {
    const endpoint = await startClickHouseEndpoint({ port: 0, dataDir });
    const client = createClient({ url: endpoint.url, request_timeout: 60_000 });
    try {
      let slowDone = false;
      const slow = client
        .query({
          query: 'SELECT sum(sleepEachRow(1)) AS s FROM numbers(5) SETTINGS max_block_size = 1',
          format: 'JSONEachRow',
        })
        .then((rs) => rs.json())
        .finally(() => {
          slowDone = true;
        });
      // Give the slow statement time to reach the engine before pinging.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pings = [];
      for (let i = 0; i < 3; i += 1) {
        pings.push((await client.ping()).success);
        expect(slowDone).toBe(false);
      }
      expect(pings).toEqual([true, true, true]);
      expect(await slow).toEqual([{ s: 0 }]);
      expect(slowDone).toBe(true);
    } finally {
      await client.close();
      await endpoint.close();
    }
  });

  it('runs as a process: announces readiness, serves, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--port', '0', '--data-dir', processDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const lines = createInterface({ input: child.stdout! });
    const ready = await new Promise<{ event: string; port: number; url: string }>((resolve, reject) => {
      lines.on('line', (line) => {
        const message = JSON.parse(line) as { event: string; port: number; url: string };
        if (message.event === 'ready') resolve(message);
      });
      child.once('exit', (code) => reject(new Error(`endpoint exited with ${code}: ${stderr}`)));
    });
    expect(ready.port).toBeGreaterThan(0);

    const client = createClient({ url: ready.url });
    const rs = await client.query({ query: 'SELECT 1 + 1 AS two', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ two: 2 }]);
    await client.close();

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a bad command line with the rule that was broken', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--port', 'eighty', '--data-dir', processDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exit) => resolve(exit)));
    expect(code).toBe(2);
    expect(stderr).toContain("--port must be an integer from 0 to 65535, got 'eighty'");
  });
});
