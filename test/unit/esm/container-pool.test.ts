import { describe, expect, it } from 'vitest';
import { containerPool } from '../../../local/esm/container-pool.ts';

/** A container that records what it handled and answers when told to. */
function recordingContainer(id: number, log: string[]) {
  const pending: (() => void)[] = [];
  const handler = async (event: string) => {
    log.push(`${id}:${event}`);
    await new Promise<void>((release) => pending.push(release));
    return `${id}:${event}`;
  };
  return { handler, release: () => pending.shift()?.() };
}

describe('containerPool', () => {
  it('gives invocations in flight containers of their own and reuses a container once it is idle', async () => {
    const log: string[] = [];
    const containers: ReturnType<typeof recordingContainer>[] = [];
    const pool = containerPool<string, undefined, string>(async (n) => {
      const c = recordingContainer(n, log);
      containers.push(c);
      return c.handler;
    });

    const a = pool.invoke('a', undefined);
    const b = pool.invoke('b', undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(pool.size()).toBe(2);
    expect(log).toEqual(['0:a', '1:b']);

    containers[1]?.release();
    await expect(b).resolves.toBe('1:b');
    const c = pool.invoke('c', undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(pool.size()).toBe(2);
    expect(log).toEqual(['0:a', '1:b', '1:c']);

    containers[0]?.release();
    containers[1]?.release();
    await expect(a).resolves.toBe('0:a');
    await expect(c).resolves.toBe('1:c');
  });

  it('starts with the container it was given and returns a container to the pool after a failure', async () => {
    const started: number[] = [];
    let fail = true;
    const first = async (event: string) => {
      if (fail) throw new Error(`failed ${event}`);
      return `first:${event}`;
    };
    const pool = containerPool<string, undefined, string>(async (n) => {
      started.push(n);
      return async (event) => `${n}:${event}`;
    }, first);

    await expect(pool.invoke('x', undefined)).rejects.toThrow('failed x');
    fail = false;
    await expect(pool.invoke('y', undefined)).resolves.toBe('first:y');
    expect(started).toEqual([]);
    expect(pool.size()).toBe(1);
  });
});
