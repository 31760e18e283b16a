import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTransactionalId } from '../../../containers/nlp/transactional-id.ts';

// A stand-in for the ECS agent's task metadata endpoint (v4), over a real socket.
let server: Server;
let base: string;
let taskRequests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/v4/ok/task') {
      taskRequests++;
      // The agent can refuse the first request right after the container starts.
      if (taskRequests === 1) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ TaskARN: 'arn:aws:ecs:eu-west-1:111122223333:task/spate/0123abcd4567ef' }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('resolveTransactionalId', () => {
  it('names the transactional id after the ECS task, retrying the metadata endpoint', async () => {
    await expect(
      resolveTransactionalId({
        kind: 'derived',
        prefix: 'spate-nlp',
        ecsMetadataUri: `${base}/v4/ok`,
        instance: 'host',
      }),
    ).resolves.toBe('spate-nlp-0123abcd4567ef');
    expect(taskRequests).toBe(2);
  });

  it('refuses to start when the task metadata cannot be read, rather than share an id', async () => {
    await expect(
      resolveTransactionalId(
        { kind: 'derived', prefix: 'spate-nlp', ecsMetadataUri: `${base}/v4/missing`, instance: 'host' },
        { attempts: 2, timeoutMs: 2000 },
      ),
    ).rejects.toThrow(/ECS_CONTAINER_METADATA_URI_V4: task metadata not readable after 2 attempts: HTTP 404/);
  });

  it('uses the instance name off ECS, and a fixed id as given', async () => {
    await expect(
      resolveTransactionalId({ kind: 'derived', prefix: 'spate-nlp', instance: 'laptop' }),
    ).resolves.toBe('spate-nlp-laptop');
    await expect(resolveTransactionalId({ kind: 'fixed', id: 'x-1' })).resolves.toBe('x-1');
  });
});
