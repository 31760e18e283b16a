import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterFields, redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { framesOfMessage } from '../../../core/push/frame-bundles.ts';
import { ChannelState } from '../../../core/push/frame-sequence.ts';
import { type Frame, parseFrame } from '../../../core/push/frames.ts';
import { FanOut } from '../../../io/push/fan-out.ts';
import { pushKeys } from '../../../io/push/push-keys.ts';
import { freePort } from '../../support/free-ports.ts';
import { eventually, openClient, type TestClient } from '../gateway/ws-client.ts';
import { PROJECT, type PushStack, startPushStack, tokenFor } from './push-stack.ts';

let stack: PushStack;

beforeAll(async () => {
  stack = await startPushStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function countEvents(type: string, n: number, atMs = Date.now()): Promise<void> {
  const key = redisKeys.counters(PROJECT, 's', Math.floor(atMs / 1000));
  await stack.redis.client.hincrby(key, counterFields.type(type), n);
}

async function subscribed(channels: string[]): Promise<{ client: TestClient; reply: { frames: Frame[] } }> {
  const client = await openClient(`${stack.gateway.wsUrl}?token=${encodeURIComponent(tokenFor())}`);
  client.socket.send(JSON.stringify({ action: 'subscribe', channels }));
  const reply = JSON.parse(await client.next()) as { type: string; frames: Frame[] };
  expect(reply.type).toBe('subscribed');
  return { client, reply };
}

async function connectionKeys(): Promise<string[]> {
  return stack.redis.client.keys(pushKeys.connection('*'));
}

describe('$connect authorizer', () => {
  it('refuses a missing, forged, expired or other-secret token and registers nothing', async () => {
    const before = (await connectionKeys()).length;
    const url = stack.gateway.wsUrl;
    await expect(openClient(url)).rejects.toMatchObject({ statusCode: 401 });
    await expect(openClient(`${url}?token=garbage`)).rejects.toMatchObject({ statusCode: 401 });
    await expect(openClient(`${url}?token=${tokenFor(PROJECT, -10)}`)).rejects.toMatchObject({
      statusCode: 403,
    });
    await expect(openClient(`${url}?token=${tokenFor(PROJECT, 3600, 'another')}`)).rejects.toMatchObject({
      statusCode: 403,
    });
    expect((await connectionKeys()).length).toBe(before);
  });

  it('rejects bad subscribe messages with a reason and keeps the connection', async () => {
    const { client } = await subscribed(['overview']);
    client.socket.send(JSON.stringify({ action: 'subscribe', channels: ['timeseries:weather'] }));
    const reply = JSON.parse(await client.next()) as { type: string; message: string };
    expect(reply).toMatchObject({ type: 'error' });
    expect(reply.message).toMatch(/channels\[0\]: timeseries:<metric>/);
    client.socket.close();
  });
});

describe('broadcaster', () => {
  it('pushes a snapshot then deltas with consecutive seqs, and a resubscribe resyncs', async () => {
    const { client } = await subscribed(['overview', 'timeseries:events']);
    await countEvents('page_view', 5);
    const outcomes = await stack.broadcaster.broadcast(PROJECT);
    expect(
      outcomes
        .filter((o) => o.outcome === 'pushed')
        .map((o) => o.channel)
        .sort(),
    ).toEqual(['overview', 'timeseries:events']);
    const states = new Map([
      ['overview', new ChannelState()],
      ['timeseries:events', new ChannelState()],
    ]);
    // Frames pushed together reach a connection as one message.
    const receive = async () => {
      const frames = framesOfMessage(await client.next());
      for (const frame of frames) expect(states.get(frame.channel)!.accept(frame).kind).toBe('applied');
      return frames;
    };
    const first = await receive();
    expect(first.map((f) => f.type)).toEqual(['snapshot', 'snapshot']);
    expect(states.get('overview')!.data).toMatchObject({ by_type: { page_view: 5 } });

    await new Promise((r) => setTimeout(r, 550));
    await countEvents('purchase', 2);
    await stack.broadcaster.broadcast(PROJECT);
    const next = await receive();
    expect(next.map((f) => f.type)).toEqual(['delta', 'delta']);
    expect(states.get('overview')!.data).toMatchObject({ by_type: { page_view: 5, purchase: 2 } });
    const seqs = next.map((f) => f.seq - states.get(f.channel)!.seq);
    expect(seqs).toEqual([0, 0]);

    client.socket.send(JSON.stringify({ action: 'subscribe', channels: ['overview'] }));
    const resync = JSON.parse(await client.next()) as { frames: Frame[] };
    expect(resync.frames[0]).toMatchObject({ type: 'snapshot', seq: states.get('overview')!.seq });
    client.socket.close();
  });

  it('coalesces concurrent invocations to at most one frame per 500 ms per channel', async () => {
    const { client } = await subscribed(['overview']);
    const frames: Frame[] = [];
    client.socket.on('message', (data: Buffer) => frames.push(parseFrame(data.toString())));
    const until = Date.now() + 3000;
    // Four "invocations" at a time, again and again, with new events before each round.
    while (Date.now() < until) {
      await countEvents('page_view', 1);
      await Promise.all([1, 2, 3, 4].map(() => stack.broadcaster.broadcast(PROJECT, ['overview'])));
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(frames.length).toBeGreaterThanOrEqual(3);
    // 3 s of pushing plus a trailing frame: never more than two a second.
    expect(frames.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < frames.length; i++) {
      expect(frames[i]!.seq).toBe(frames[i - 1]!.seq + 1);
      expect(frames[i]!.at - frames[i - 1]!.at).toBeGreaterThanOrEqual(450);
    }
    client.socket.close();
  });

  it('removes a gone connection on GoneException and still delivers to the live one', async () => {
    const live = await subscribed(['ops']);
    const stale = await subscribed(['ops']);
    const staleId = stack.connected.at(-1)!;
    stale.client.socket.close();
    await stale.client.closed;
    // Once $disconnect has cleaned up, put the entry back as if $disconnect had never run.
    let cleaned = false;
    const poll = setInterval(async () => {
      cleaned = (await stack.redis.client.exists(pushKeys.connection(staleId))) === 0;
    }, 20);
    await eventually(() => cleaned).finally(() => clearInterval(poll));
    await stack.context.registry.register(staleId, PROJECT);
    await stack.context.registry.subscribe(staleId, PROJECT, ['ops']);
    expect(await stack.context.registry.subscribers(PROJECT, 'ops')).toContain(staleId);

    await countEvents('page_view', 3, Date.now() - 2000);
    await new Promise((r) => setTimeout(r, 550));
    const [outcome] = await stack.broadcaster.broadcast(PROJECT, ['ops']);
    expect(outcome).toMatchObject({ outcome: 'pushed', fanOut: { sent: 1, gone: 1, failed: 0 } });
    expect(await stack.context.registry.subscribers(PROJECT, 'ops')).not.toContain(staleId);
    expect(await stack.redis.client.exists(pushKeys.connection(staleId))).toBe(0);
    expect(parseFrame(await live.client.next()).channel).toBe('ops');
    live.client.socket.close();
  });

  it('counts failures other than Gone instead of swallowing them', async () => {
    const deadPort = await freePort();
    const removed: string[] = [];
    const fanOut = new FanOut({
      endpoint: `http://127.0.0.1:${deadPort}/local`,
      region: 'us-east-1',
      concurrency: 2,
      onGone: async (id) => {
        removed.push(id);
      },
    });
    const report = await fanOut.send(new TextEncoder().encode('{}'), ['a', 'b', 'c']);
    fanOut.destroy();
    expect(report).toMatchObject({ sent: 0, gone: 0, failed: 3 });
    expect(report.errors.length).toBe(3);
    expect(removed).toEqual([]);
  });

  it('cleans the registry on $disconnect', async () => {
    const { client } = await subscribed(['funnel']);
    const id = stack.connected.at(-1)!;
    expect(await stack.context.registry.subscribers(PROJECT, 'funnel')).toContain(id);
    client.socket.close();
    await client.closed;
    const deadline = Date.now() + 10_000;
    while ((await stack.context.registry.subscribers(PROJECT, 'funnel')).includes(id)) {
      if (Date.now() > deadline) throw new Error('not cleaned');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await stack.redis.client.exists(pushKeys.subscriptions(id))).toBe(0);
  });
});
