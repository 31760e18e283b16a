import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kcat } from './kcat.ts';

const SPATE = fileURLToPath(new URL('../../../bin/spate.js', import.meta.url));

describe('spate broker', () => {
  it('prints its help', async () => {
    const out = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [SPATE, 'broker', '--help']);
      let text = '';
      child.stdout.on('data', (d) => {
        text += String(d);
      });
      child.once('close', () => resolve(text));
    });
    expect(out).toContain('--data-dir <dir>');
    expect(out).toContain('--auto-create');
  });

  it('starts, announces readiness, serves kcat, and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spate-kafka-cli-'));
    const child = spawn(process.execPath, [
      SPATE,
      'broker',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--auto-create',
    ]);
    try {
      const ready = await new Promise<{ port: number }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          const line = out.split('\n').find((l) => l.includes('"ready"'));
          if (line !== undefined) resolve(JSON.parse(line) as { port: number });
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const produced = await kcat(['-b', `127.0.0.1:${ready.port}`, '-P', '-t', 'cli.topic'], 'one\ntwo\n');
      expect(produced.code).toBe(0);
      const consumed = await kcat(['-b', `127.0.0.1:${ready.port}`, '-C', '-t', 'cli.topic', '-e', '-q']);
      expect(consumed.stdout).toBe('one\ntwo\n');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
