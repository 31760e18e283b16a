import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { realtimeAggregation } from '../../../core/aggregation/realtime-counters.ts';
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
  gate = new OffsetGate(stack.redis.client, realtimeAggregation);
});
afterAll(async () => {
  await stack?.stop();
});

/** Events of the last seconds through the realtime aggregator, as its function applies a batch. */
async function aggregate(campaigns: readonly string[]): Promise<void> {
  const at = new Date(Date.now() - 2000).toISOString();
  const events = campaigns.map((campaign) =>
    enrichedEvent({
      project: PROJECT,
      timestamp: at,
      attribution: { source: 'google', medium: 'cpc', campaign, term: null, content: null, click_ids: {} },
    }),
  );
  const [batch] = partitionBatches(mskEventOf(events, { firstOffset: offset }));
  offset += events.length;
  await gate.apply(batch!);
}

type Breakdowns = {
  dimensions: Record<string, { rows: { key: string; events: number }[]; other: { events: number } }>;
};

describe('the breakdowns channel', () => {
  it('pushes the live breakdowns as a snapshot, then deltas, coalesced like every channel', async () => {
    const client = await openClient(`${stack.gateway.wsUrl}?token=${encodeURIComponent(tokenFor())}`);
    client.socket.send(JSON.stringify({ action: 'subscribe', channels: ['breakdowns'] }));
    expect(JSON.parse(await client.next())).toMatchObject({ type: 'subscribed' });
    const state = new ChannelState();
    const receive = async () => {
      const frames = framesOfMessage(await client.next());
      for (const frame of frames) expect(state.accept(frame).kind).toBe('applied');
      return frames;
    };

    await aggregate(['spring', 'spring', 'spring', 'brand']);
    await stack.broadcaster.broadcast(PROJECT, ['breakdowns']);
    expect((await receive()).map((f) => [f.channel, f.type])).toEqual([['breakdowns', 'snapshot']]);
    const campaign = () => (state.data as Breakdowns).dimensions.campaign!;
    expect(campaign().rows).toEqual([
      { key: 'spring', events: 3, orders: 0, revenue: {} },
      { key: 'brand', events: 1, orders: 0, revenue: {} },
    ]);
    expect(campaign().other.events).toBe(0);

    // Four invocations at once after new events: one frame, a delta.
    await new Promise((r) => setTimeout(r, 550));
    await aggregate(['brand', 'brand', 'brand', 'launch']);
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map(() => stack.broadcaster.broadcast(PROJECT, ['breakdowns'])),
    );
    expect(outcomes.flat().filter((o) => o.outcome === 'pushed')).toHaveLength(1);
    expect((await receive()).map((f) => f.type)).toEqual(['delta']);
    expect(campaign().rows.map((r) => [r.key, r.events])).toEqual([
      ['brand', 4],
      ['spring', 3],
      ['launch', 1],
    ]);
    expect((state.data as Breakdowns).dimensions.type!.rows).toEqual([
      { key: 'page_view', events: 8, orders: 0, revenue: {} },
    ]);
    client.socket.close();
  });
});
