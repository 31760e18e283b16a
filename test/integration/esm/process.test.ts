import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MSKEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAPPINGS } from '../../../core/mappings.ts';
import type { MappingStatus } from '../../../local/esm/index.ts';
import type { TestBroker } from './harness.ts';
import { decode, startTestBroker, waitFor } from './harness.ts';

/** Resolves with the first stdout line, or rejects if the process exits before writing one. */
function firstLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before its ready line: ${stderr()}`)));
  });
}

describe('emulator process (local/esm/main.ts)', () => {
  let broker: TestBroker;
  let dir: string;
  let child: ChildProcess | undefined;
  const mapping = MAPPINGS[0];

  beforeAll(async () => {
    broker = await startTestBroker();
    dir = await mkdtemp(join(tmpdir(), 'spate-esm-process-'));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('feeds a mapping from core/mappings.ts to its handler module and exits cleanly on SIGTERM', async () => {
    expect(mapping, 'core/mappings.ts lists at least one mapping').toBeDefined();
    const { functionName, topic } = mapping!;
    // A stand-in for the function's module: it records each event it is given.
    const received = join(dir, 'events.ndjson');
    await mkdir(join(dir, functionName));
    await writeFile(
      join(dir, functionName, 'handler.ts'),
      `import { appendFileSync } from 'node:fs';\n` +
        `export const handler = async (event: unknown) => { appendFileSync(${JSON.stringify(received)}, JSON.stringify(event) + '\\n'); };\n`,
    );
    let stderr = '';
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'local/esm/main.ts',
        '--port',
        '0',
        '--brokers',
        broker.address,
        '--handlers-dir',
        dir,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        // The variable picks the function, as the local stack would set it.
        env: { ...process.env, SPATE_ESM_FUNCTIONS: functionName },
      },
    );
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const ready = JSON.parse(await firstLine(child, () => stderr)) as {
      event: string;
      port: number;
      mappings: string[];
    };
    expect(ready).toMatchObject({ event: 'ready', mappings: [functionName] });

    await broker.producer.send({ topic, messages: [{ key: 'user-7', value: '{"event":"signup"}' }] });
    await waitFor('the handler module to record the event', async () => {
      const text = await readFile(received, 'utf8').catch(() => '');
      return text.includes('aws:kafka');
    });
    const [line] = (await readFile(received, 'utf8')).trim().split('\n');
    const event = JSON.parse(line!) as MSKEvent;
    const [record] = Object.values(event.records).flat();
    expect(decode(record?.key)).toBe('user-7');
    expect(decode(record?.value)).toBe('{"event":"signup"}');

    const status = (await (await fetch(`http://127.0.0.1:${ready.port}/status`)).json()) as {
      mappings: MappingStatus[];
    };
    expect(status.mappings).toHaveLength(1);
    expect(status.mappings[0]).toMatchObject({ functionName, topic, records: 1, batches: 1 });

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code, stderr).toBe(0);
  });

  it('refuses a bad flag with the rule and the usage, exit code 2', async () => {
    const bad = spawn(process.execPath, ['--import', 'tsx', 'local/esm/main.ts', '--brokers', 'nohost'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    bad.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = (await once(bad, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('--brokers: "nohost" is not host:port');
    expect(stderr).toContain('usage:');
  });
});
