import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, FROM_1996, rawEvents, SPATE, spate, summaryOf } from './import-cli.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';

let stack: IngestStack;
let dir: string;

beforeAll(async () => {
  stack = await startIngestStack();
  dir = mkdtempSync(join(tmpdir(), 'spate-import-resume-'));
});

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const target = () => ['--endpoint', stack.gateway.httpUrl, '--write-key', WRITE_KEY];
const summary = summaryOf;
const raw = (prefix: string) => rawEvents(stack.brokers, prefix);

/** 3,000 Segment messages over 20 years; every third without a messageId. */
function segmentExport(): string {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i += 1) {
    const timestamp = new Date(FROM_1996 + i * 2.4 * DAY_MS).toISOString();
    const base = {
      ...(i % 3 === 0 ? {} : { messageId: `seg-msg-${i}` }),
      userId: `seg-${i % 100}`,
      timestamp,
      receivedAt: timestamp,
      _metadata: { bundled: ['Segment.io'] },
    };
    const message =
      i % 3 === 0
        ? { ...base, type: 'page', name: 'Home', properties: { path: `/n/${i}` } }
        : i % 3 === 1
          ? {
              ...base,
              type: 'track',
              event: 'Order Completed',
              properties: { order_id: `o${i}`, revenue: 10 },
            }
          : { ...base, type: 'identify', traits: { plan: 'pro', n: i } };
    lines.push(JSON.stringify(message));
  }
  return `${lines.join('\n')}\n`;
}

describe('spate import after a crash', () => {
  it('goes on after a kill from its resume point, and a run after the end sends nothing', async () => {
    const file = join(dir, 'segment-export.ndjson');
    const state = `${file}.spate-import.json`;
    writeFileSync(file, segmentExport());
    const args = [SPATE, 'import', file, ...target(), '--json', '--rate', '1000', '--batch-size', '100'];

    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal ? -1 : _code)),
    );
    let killedAt: { position: { line: number }; totals: { rows: number }; done: boolean } | undefined;
    const deadline = Date.now() + 30_000;
    while (!killedAt && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      if (!existsSync(state)) continue;
      const now = JSON.parse(readFileSync(state, 'utf8'));
      if (now.position.line >= 1200) {
        child.kill('SIGKILL');
        killedAt = now;
      }
    }
    expect(await exited).toBe(-1);
    expect(killedAt?.done).toBe(false);
    // The state as the kill left it (it may have moved on between the read and the kill).
    const doneBefore = JSON.parse(readFileSync(state, 'utf8')).totals.rows as number;
    expect(doneBefore).toBeGreaterThanOrEqual(1200);
    expect(doneBefore).toBeLessThan(3000);

    const resumed = await spate(...args.slice(1));
    expect(resumed.code, resumed.stderr).toBe(0);
    const s = summary(resumed);
    expect(s).toMatchObject({ outcome: 'complete', rows: 3000, accepted: 3000, rejected: 0, skipped: 0 });
    expect(s.resumed_after_line).toBeGreaterThanOrEqual(1200);
    // The resumed run read only what the killed one had not finished.
    expect(s.run.rows).toBe(3000 - doneBefore);
    const stored = await raw('seg-');
    expect(stored.ids.size).toBe(3000);
    expect(stored.records - stored.ids.size).toBeLessThan(doneBefore);

    const again = await spate(...args.slice(1));
    expect(again.code).toBe(0);
    expect(summary(again)).toMatchObject({ outcome: 'already-done', accepted: 3000, run: { sent: 0 } });
    expect((await raw('seg-')).records).toBe(stored.records);
  });
  it('stops on Ctrl-C after the requests in flight are answered, with status 130, and goes on when run again', async () => {
    const file = join(dir, 'interrupted.ndjson');
    const state = `${file}.spate-import.json`;
    const events = Array.from({ length: 1000 }, (_, i) => ({
      type: 'x_video_played',
      anonymous_id: `ctrl-c-${i % 20}`,
      user_id: `ctrl-c-${i % 20}`,
      timestamp: new Date(FROM_1996 + i * DAY_MS).toISOString(),
      properties: { n: i },
    }));
    writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const args = [SPATE, 'import', file, ...target(), '--json', '--rate', '400', '--batch-size', '50'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      if (existsSync(state) && JSON.parse(readFileSync(state, 'utf8')).position.line >= 200) break;
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const stopped = JSON.parse(stdout);
    expect(stopped).toMatchObject({ outcome: 'interrupted' });
    // What the summary counts is exactly what the state records as done.
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved).toMatchObject({ done: false, totals: { rows: stopped.rows, accepted: stopped.accepted } });
    expect(stopped.rows).toBeLessThan(1000);

    const resumed = await spate(...args.slice(1));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(summary(resumed)).toMatchObject({ outcome: 'complete', rows: 1000, accepted: 1000 });
    expect((await raw('ctrl-c-')).ids.size).toBe(1000);
  });
});
