import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { windowsAggregation } from '../../../core/aggregation/sliding-windows.ts';
import { framesOfMessage } from '../../../core/push/frame-bundles.ts';
import { ChannelState } from '../../../core/push/frame-sequence.ts';
import { OffsetGate } from '../../../io/redis/offset-gate.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { openClient } from '../gateway/ws-client.ts';
import { PROJECT, type PushStack, startPushStack, tokenFor } from './push-stack.ts';

let stack: PushStack;
let gate: OffsetGate;
let offset = 0;

beforeAll(async () => {
  stack = await startPushStack();
  gate = new OffsetGate(stack.redis.client, windowsAggregation);
});
afterAll(async () => {
  await stack?.stop();
});

/** Page views of the last seconds through the windows aggregator, as its function applies a batch. */
async function aggregate(visitors: readonly string[]): Promise<void> {
  const at = new Date(Date.now() - 2000).toISOString();
  const events = visitors.map((user_id) => enrichedEvent({ project: PROJECT, timestamp: at, user_id }));
  const [batch] = partitionBatches(mskEventOf(events, { firstOffset: offset }));
  offset += events.length;
  await gate.apply(batch!);
}

type Sessions = { sessions: number; bounces: number; pages_per_session: number; per_minute: unknown[] };

describe('the sessions channel', () => {
  it('pushes the live sessions as a snapshot, then deltas', async () => {
    const client = await openClient(`${stack.gateway.wsUrl}?token=${encodeURIComponent(tokenFor())}`);
    client.socket.send(JSON.stringify({ action: 'subscribe', channels: ['sessions'] }));
    expect(JSON.parse(await client.next())).toMatchObject({ type: 'subscribed' });
    const state = new ChannelState();
    const receive = async () => {
      const frames = framesOfMessage(await client.next());
      for (const frame of frames) expect(state.accept(frame).kind).toBe('applied');
      return frames;
    };

    await aggregate(['u1', 'u2']);
    await stack.broadcaster.broadcast(PROJECT, ['sessions']);
    expect((await receive()).map((f) => [f.channel, f.type])).toEqual([['sessions', 'snapshot']]);
    expect(state.data).toMatchObject({ sessions: 2, bounces: 2, bounce_rate: 1, pages_per_session: 1 });
    expect((state.data as Sessions).per_minute).toHaveLength(30);

    // u1 goes on to a second page: no longer a bounce; u3 arrives.
    await new Promise((r) => setTimeout(r, 550));
    await aggregate(['u1', 'u3']);
    await stack.broadcaster.broadcast(PROJECT, ['sessions']);
    expect((await receive()).map((f) => f.type)).toEqual(['delta']);
    expect(state.data).toMatchObject({
      sessions: 3,
      bounces: 2,
      bounce_rate: 0.6667,
      pages_per_session: 1.333,
    });
    client.socket.close();
  });
});
