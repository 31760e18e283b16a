import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/free-ports.ts';
import { DAY_MS, FROM_1996, rawEvents, spate, summaryOf } from './import-cli.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';

let stack: IngestStack;
let dir: string;

beforeAll(async () => {
  // A tight per-key limit: a batch of 500 is answered 429 + Retry-After until the bucket refills.
  stack = await startIngestStack({ SPATE_RATE_LIMIT_PER_S: '2000', SPATE_RATE_LIMIT_BURST: '400' });
  dir = mkdtempSync(join(tmpdir(), 'spate-import-cli-'));
});

afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const target = () => ['--endpoint', stack.gateway.httpUrl, '--write-key', WRITE_KEY];
const summary = summaryOf;
const raw = (prefix: string) => rawEvents(stack.brokers, prefix);

const sqlTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** 1,000 good rows over 20 years, half with an id, 3 dated 1969 (the API refuses), 2 with no date. */
function ordersCsv(): { text: string; skippedLines: number[]; rejectedLines: number[] } {
  const lines = ['id,created_at,kind,customer,amount,page.url,note'];
  const skippedLines: number[] = [];
  const rejectedLines: number[] = [];
  const kinds = ['purchase', 'page_view', 'add_to_cart', 'Video Played'];
  for (let i = 0; i < 1000; i += 1) {
    if (i === 10 || i === 20) {
      lines.push(',last spring,signup,csv-bad,,,');
      skippedLines.push(lines.length);
    }
    if (i === 30 || i === 40 || i === 50) {
      lines.push(`,1969-07-20 20:17:00,signup,csv-moon-${i},,,`);
      rejectedLines.push(lines.length);
    }
    const id = i % 2 === 0 ? `order-${i}` : '';
    const kind = kinds[i % kinds.length];
    const url = kind === 'page_view' ? `https://shop.example/p/${i}` : '';
    const note = i === 999 ? '"last row, with ""quotes""\nand a line break"' : '';
    lines.push(`${id},${sqlTime(FROM_1996 + i * 7 * DAY_MS)},${kind},csv-${i % 50},12.50,${url},${note}`);
  }
  return { text: `${lines.join('\n')}\n`, skippedLines, rejectedLines };
}

describe('spate import', () => {
  it('imports a CSV by --map, reports rejected and unmapped rows by reason and line, and counts nothing twice', async () => {
    const csv = ordersCsv();
    const file = join(dir, 'orders.csv');
    writeFileSync(file, csv.text);
    const args = ['import', file, ...target(), '--json'];
    args.push(
      '--map',
      'event_id=id',
      '--map',
      'timestamp=created_at',
      '--map',
      'type=kind',
      '--map',
      'user_id=customer',
    );

    const first = await spate(...args);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/retrying in 1\.0 s: 429 rate_limited/);
    const s = summary(first);
    expect(s).toMatchObject({
      outcome: 'complete',
      rows: 1005,
      sent: 1003,
      accepted: 1000,
      rejected: 3,
      skipped: 2,
    });
    expect(s.rejected_by_reason).toEqual([
      expect.objectContaining({ field: 'timestamp', rule: 'minimum', count: 3 }),
    ]);
    expect(s.rejected_by_reason[0]?.samples.map((x) => x.line)).toEqual(csv.rejectedLines);
    expect(s.skipped_by_reason).toEqual([
      expect.objectContaining({ field: 'timestamp', rule: 'format', count: 2 }),
    ]);
    expect(s.skipped_by_reason[0]?.samples.map((x) => x.line)).toEqual(csv.skippedLines);
    const stored = await raw('csv-');
    expect(stored.records).toBe(1000);
    expect(stored.ids.size).toBe(1000);
    expect(stored.events.map((e) => e.timestamp).sort()[0]).toBe('1996-01-01T00:00:00.000Z');

    // Run again: the state file says it is done; nothing is sent.
    const again = await spate(...args);
    expect(summary(again)).toMatchObject({ outcome: 'already-done', accepted: 1000, run: { sent: 0 } });
    expect((await raw('csv-')).records).toBe(1000);

    // --restart sends it all again, with the same ids: copies on events.raw, no new event.
    const restart = await spate(...args, '--restart');
    expect(summary(restart)).toMatchObject({ outcome: 'complete', accepted: 1000, run: { sent: 1003 } });
    const after = await raw('csv-');
    expect(after.records).toBe(2000);
    expect(after.ids).toEqual(stored.ids);
  });

  it('stops with status 3 when the endpoint does not answer, and goes on when it does', async () => {
    const file = join(dir, 'outage.ndjson');
    const events = Array.from({ length: 50 }, (_, i) => ({
      type: 'signup',
      user_id: `outage-${i}`,
      timestamp: new Date(FROM_1996 + i * DAY_MS).toISOString(),
    }));
    writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const down = await spate(
      'import',
      file,
      '--endpoint',
      nobody,
      '--write-key',
      WRITE_KEY,
      '--retries',
      '1',
      '--json',
    );
    expect(down.code).toBe(3);
    expect(summary(down)).toMatchObject({ outcome: 'aborted', accepted: 0, resumed_after_line: null });
    expect(down.stderr).toMatch(/retrying in .* s: no answer from/);

    const up = await spate('import', file, ...target(), '--json');
    expect(up.code, up.stderr).toBe(0);
    expect(summary(up)).toMatchObject({ outcome: 'complete', rows: 50, accepted: 50 });
    const stored = await raw('outage-');
    expect(stored.ids.size).toBe(50);
  });
});
