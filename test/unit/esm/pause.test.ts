import { describe, expect, it } from 'vitest';
import { pauseWithHeartbeat, withDeadline } from '../../../local/esm/pause.ts';

describe('withDeadline', () => {
  it('passes a result through and turns a sync throw into a rejection', async () => {
    await expect(withDeadline(() => 42, 1_000)).resolves.toBe(42);
    await expect(
      withDeadline(() => {
        throw new Error('sync');
      }, 1_000),
    ).rejects.toThrow('sync');
  });

  it("fails a handler that outlives the timeout with Lambda's message", async () => {
    await expect(withDeadline(() => new Promise(() => undefined), 20)).rejects.toThrow(
      'Task timed out after 0.02 seconds',
    );
  });
});

describe('pauseWithHeartbeat', () => {
  it('heartbeats while it waits and reports a completed wait', async () => {
    let beats = 0;
    const done = await pauseWithHeartbeat(
      60,
      new AbortController().signal,
      async () => {
        beats += 1;
      },
      20,
    );
    expect(done).toBe(true);
    expect(beats).toBeGreaterThanOrEqual(2);
  });

  it('ends early with false when stopped', async () => {
    const stop = new AbortController();
    const waiting = pauseWithHeartbeat(60_000, stop.signal, async () => undefined);
    stop.abort();
    await expect(waiting).resolves.toBe(false);
  });
});
