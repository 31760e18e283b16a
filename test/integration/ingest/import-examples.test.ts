import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../core/topics.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';
import { readTopicToEnd } from './topic-reader.ts';

const run = promisify(execFile);
const SPATE = fileURLToPath(new URL('../../../bin/spate.js', import.meta.url));
const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** The commands of the first ```sh block of README.md's section on `spate import`. */
function readmeImportCommands(): string[] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('## Importing history: `spate import`'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((line) => line.startsWith('npx spate import '));
}

let stack: IngestStack;
let cwd: string;

beforeAll(async () => {
  stack = await startIngestStack();
  // What `spate local` writes, so the examples find the endpoint and key as written.
  cwd = mkdtempSync(join(tmpdir(), 'spate-import-examples-'));
  mkdirSync(join(cwd, '.local'));
  writeFileSync(
    join(cwd, '.local/endpoints.json'),
    JSON.stringify({ http: stack.gateway.httpUrl, writeKey: WRITE_KEY }),
  );
  writeFileSync(
    join(cwd, 'orders.csv'),
    [
      'id,created_at,kind,customer,amount',
      'A-1,2016-03-01 10:15:00,purchase,ex-c1,12.50',
      'A-2,2016-03-02 11:00:00,Video Played,ex-c2,',
      ',1999-12-31 23:59:59,signup,ex-c3,',
    ].join('\n'),
  );
  writeFileSync(
    join(cwd, 'events.ndjson'),
    [
      {
        type: 'page_view',
        user_id: 'ex-u1',
        timestamp: '2010-05-01T08:00:00Z',
        page: { url: 'https://shop.example/' },
      },
      {
        type: 'add_to_cart',
        user_id: 'ex-u1',
        timestamp: '2010-05-01T08:01:00Z',
        product: { id: 'p1', price: 3 },
      },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  const segment = [
    {
      type: 'track',
      event: 'Order Completed',
      userId: 'ex-s1',
      messageId: 'ex-m1',
      timestamp: '2014-01-01T00:00:00Z',
      properties: { revenue: 5 },
    },
    {
      type: 'identify',
      userId: 'ex-s1',
      messageId: 'ex-m2',
      timestamp: '2014-01-01T00:00:01Z',
      traits: { plan: 'pro' },
    },
  ];
  writeFileSync(
    join(cwd, 'segment-export.json.gz'),
    gzipSync(segment.map((m) => JSON.stringify(m)).join('\n')),
  );
  const posthog = [
    {
      uuid: '0188e1c2-4f6a-7b3c-8d9e-0a1b2c3d4e5f',
      event: '$pageview',
      distinct_id: 'ex-p1',
      timestamp: '2023-06-01 10:00:00.000000',
      properties: '{"$current_url":"https://shop.example/a"}',
    },
    {
      uuid: '0188e1c2-4f6a-7b3c-8d9e-0a1b2c3d4e60',
      event: 'signed_up',
      distinct_id: 'ex-p1',
      timestamp: '2023-06-01 10:01:00.000000',
      properties: '{}',
    },
  ];
  writeFileSync(join(cwd, 'posthog-events.jsonl'), posthog.map((e) => JSON.stringify(e)).join('\n'));
});

afterAll(async () => {
  await stack?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("README's spate import examples", () => {
  const commands = readmeImportCommands();

  it('has --help naming the formats, the resume point and the exit status', async () => {
    const { stdout } = await run(process.execPath, [SPATE, 'import', '--help'], { timeout: 30_000 });
    for (const text of [
      '--format <format>',
      '--map <field=column>',
      'posthog',
      'spate-import.json',
      'Exit status',
    ])
      expect(stdout).toContain(text);
  });

  it('are found, one per format', () => {
    expect(commands).toHaveLength(4);
  });

  it('work as written, against the endpoint .local/endpoints.json names', async () => {
    for (const command of commands) {
      // `npx spate` is this checkout's bin/spate.js.
      const { stdout } = await run(
        'bash',
        ['-c', command.replace(/^npx spate /, `"${process.execPath}" "${SPATE}" `)],
        {
          cwd,
          timeout: 30_000,
        },
      );
      if (command.includes('--json'))
        expect(JSON.parse(stdout)).toMatchObject({ outcome: 'complete', rejected: 0, skipped: 0 });
      else expect(stdout).toMatch(/^imported /);
    }
    const users = new Set(['ex-c1', 'ex-c2', 'ex-c3', 'ex-u1', 'ex-s1', 'ex-p1']);
    const records = (await readTopicToEnd(stack.brokers, TOPICS.eventsRaw.name))
      .map((r) => JSON.parse(r.value) as { user_id: string | null; type: string })
      .filter((e) => users.has(e.user_id ?? ''));
    expect(records.map((e) => e.type).sort()).toEqual(
      [
        'purchase',
        'x_video_played',
        'signup',
        'page_view',
        'add_to_cart',
        'purchase',
        'x_identify',
        'page_view',
        'x_signed_up',
      ].sort(),
    );
  });
});
