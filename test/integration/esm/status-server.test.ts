import { afterEach, describe, expect, it } from 'vitest';
import type { MappingStatus } from '../../../local/esm/index.ts';
import type { StatusServer } from '../../../local/esm/status-server.ts';
import { startStatusServer } from '../../../local/esm/status-server.ts';

const status = (state: MappingStatus['state']): MappingStatus => ({
  functionName: 'aggregate',
  topic: 'events.raw',
  groupId: 'spate-aggregate',
  state,
  batches: 3,
  records: 30,
  failures: 0,
  retries: 1,
  lag: 0,
  lastError: undefined,
});

describe('emulator status endpoint', () => {
  let server: StatusServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('lists the mappings and reports health from their states', async () => {
    let current = [status('running')];
    server = await startStatusServer(0, () => current);
    const base = `http://127.0.0.1:${server.port}`;

    const listed = await fetch(`${base}/status`);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ mappings: [{ ...status('running'), lastError: undefined }] });
    expect((await fetch(`${base}/health`)).status).toBe(200);

    current = [status('crashed')];
    const unhealthy = await fetch(`${base}/health`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ healthy: false, crashed: ['aggregate'] });
  });

  it('answers an unknown path with 404 and a write with 405', async () => {
    server = await startStatusServer(0, () => []);
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/status`, { method: 'POST' })).status).toBe(405);
  });
});
