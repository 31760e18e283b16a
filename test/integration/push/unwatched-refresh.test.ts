import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { counterFields, redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { ALL_CHANNELS } from '../../../core/push/channels.ts';
import { framesOfMessage } from '../../../core/push/frame-bundles.ts';
import { ChannelState } from '../../../core/push/frame-sequence.ts';
import type { Frame } from '../../../core/push/frames.ts';
import { Broadcaster, type ChannelOutcome } from '../../../io/push/broadcaster.ts';
import { pushKeys } from '../../../io/push/push-keys.ts';
import { openClient } from '../gateway/ws-client.ts';
import { PROJECT, type PushStack, startPushStack, tokenFor } from './push-stack.ts';

let stack: PushStack;

beforeAll(async () => {
  stack = await startPushStack();
});
afterAll(async () => {
  await stack?.stop();
});

function broadcasterRecordingEvery(unwatchedRefreshMs: number): Broadcaster {
  return new Broadcaster({
    redis: stack.context.redis,
    registry: stack.context.registry,
    ledger: stack.context.ledger,
    fanOut: stack.fanOut,
    funnels: parseFunnelCatalog(undefined),
    intervalMs: 500,
    unwatchedRefreshMs,
  });
}

async function countEvents(type: string, n: number): Promise<void> {
  const key = redisKeys.counters(PROJECT, 's', Math.floor(Date.now() / 1000));
  await stack.redis.client.hincrby(key, counterFields.type(type), n);
}

const outcomeOf = (outcomes: readonly ChannelOutcome[], channel: string) =>
  outcomes.find((o) => o.channel === channel)?.outcome;

async function clearRefreshGates(): Promise<void> {
  await stack.redis.client.del(...ALL_CHANNELS.map((c) => pushKeys.refresh(PROJECT, c)));
}

async function lastOverview() {
  const [last] = await stack.context.ledger.lastSnapshots(PROJECT, ['overview']);
  return last;
}

describe('channels nobody watches', () => {
  it('are left alone when recording is off', async () => {
    await countEvents('page_view', 3);
    const outcomes = await broadcasterRecordingEvery(0).broadcast(PROJECT);
    expect(new Set(outcomes.map((o) => o.outcome))).toEqual(new Set(['no-subscribers']));
    expect(await lastOverview()).toBeUndefined();
  });

  it('are recorded once per refresh period, so the query API can serve them as they are', async () => {
    const broadcaster = broadcasterRecordingEvery(60_000);
    await countEvents('page_view', 4);
    const before = Date.now();
    const first = await broadcaster.broadcast(PROJECT);
    expect(outcomeOf(first, 'overview')).toBe('recorded');
    expect(outcomeOf(first, 'timeseries:events')).toBe('recorded');
    const recorded = await lastOverview();
    expect(recorded?.at).toBeGreaterThanOrEqual(before);
    expect(JSON.parse(recorded?.body ?? '{}')).toMatchObject({ by_type: { page_view: 7 } });

    // Inside the period another invocation (or this one) leaves them alone.
    await countEvents('page_view', 1);
    const second = await broadcaster.broadcast(PROJECT);
    expect(outcomeOf(second, 'overview')).toBe('no-subscribers');
    expect(await lastOverview()).toEqual(recorded);
  });

  it('are claimed channel by channel: a broadcast of the tweet channels leaves the others to theirs', async () => {
    await clearRefreshGates();
    const broadcaster = broadcasterRecordingEvery(60_000);
    await countEvents('page_view', 2);
    const tweets = await broadcaster.broadcast(PROJECT, ['tweets', 'alerts']);
    expect(tweets.map((o) => o.channel).sort()).toEqual(['alerts', 'tweets']);
    expect(outcomeOf(await broadcaster.broadcast(PROJECT), 'overview')).toBe('recorded');
    expect(outcomeOf(await broadcaster.broadcast(PROJECT), 'overview')).toBe('no-subscribers');
  });

  it('hand a dashboard that subscribes later a snapshot the next frame follows without a gap', async () => {
    await clearRefreshGates();
    const broadcaster = broadcasterRecordingEvery(60_000);
    await countEvents('click', 2);
    expect(outcomeOf(await broadcaster.broadcast(PROJECT), 'overview')).toBe('recorded');
    const recorded = await lastOverview();

    const client = await openClient(`${stack.gateway.wsUrl}?token=${encodeURIComponent(tokenFor())}`);
    client.socket.send(JSON.stringify({ action: 'subscribe', channels: ['overview'] }));
    const reply = JSON.parse(await client.next()) as { frames: Frame[] };
    expect(reply.frames).toEqual([expect.objectContaining({ channel: 'overview', seq: recorded?.seq })]);
    const state = new ChannelState();
    expect(state.accept(reply.frames[0] as Frame).kind).toBe('applied');

    await countEvents('click', 5);
    const pushed = await broadcaster.broadcast(PROJECT, ['overview']);
    expect(pushed).toEqual([expect.objectContaining({ outcome: 'pushed', seq: (recorded?.seq ?? 0) + 1 })]);
    const [frame] = framesOfMessage(await client.next());
    expect(frame).toMatchObject({ channel: 'overview', type: 'delta' });
    expect(state.accept(frame as Frame).kind).toBe('applied');
    expect(state.data).toMatchObject({ by_type: { click: 7 } });
    client.socket.close();
  });
});
