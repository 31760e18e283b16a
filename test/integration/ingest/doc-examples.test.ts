import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../core/topics.ts';
import { curlExamples, variablesOf } from './doc-examples.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from './ingest-stack.ts';
import { readTopic } from './topic-reader.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const examples = [...curlExamples(join(root, 'docs/deploy.md')), ...curlExamples(join(root, 'README.md'))];

let stack: IngestStack;

beforeAll(async () => {
  stack = await startIngestStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('the curl examples of docs/deploy.md and README.md', () => {
  it('are found (an example the reader cannot miss is one this test cannot miss)', () => {
    expect(examples.filter((e) => e.file.endsWith('deploy.md')).length).toBeGreaterThanOrEqual(1);
    expect(examples.filter((e) => e.file.endsWith('README.md')).length).toBeGreaterThanOrEqual(3);
  });

  for (const example of examples) {
    const where = `${example.file.slice(root.length + 1)}:${example.line}`;
    it(`${where} works as written against the local gateway and the ingest function`, async () => {
      // The documents say what these hold: the endpoint URL and a project's write key.
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ENDPOINT: stack.gateway.httpUrl,
        KEY: WRITE_KEY,
      };
      expect(variablesOf(example.command).filter((v) => !(v in env))).toEqual([]);
      const { stdout } = await run('bash', ['-o', 'pipefail', '-c', example.command], {
        env,
        timeout: 30_000,
      });
      const answer = JSON.parse(stdout) as { accepted?: number; rejected?: number; errors?: unknown[] };
      expect(answer).toMatchObject({ rejected: 0, errors: [] });
      expect(answer.accepted).toBeGreaterThanOrEqual(1);
    });
  }

  it('put every example event on events.raw for the project', async () => {
    const expected = examples.length;
    const records = await readTopic(stack.brokers, TOPICS.eventsRaw.name, (rs) => rs.length >= expected);
    expect(records).toHaveLength(expected);
    for (const r of records) expect(JSON.parse(r.value)).toMatchObject({ project: 'shop', user_id: 'u1' });
  });
});
