import { describe, expect, it } from 'vitest';
import { bundleBody, framesOfMessage, planDeliveries } from '../../../core/push/frame-bundles.ts';
import { FrameError } from '../../../core/push/frames.ts';

const frame = (channel: string, seq: number) =>
  JSON.stringify({ type: 'snapshot', channel, seq, at: 1, data: { n: seq } });

describe('frame bundles', () => {
  it('sends each connection one post carrying every frame it subscribed to', () => {
    const frames = new Map([
      ['overview', frame('overview', 3)],
      ['funnel', frame('funnel', 7)],
    ]);
    const deliveries = planDeliveries(
      frames,
      new Map([
        ['overview', ['a', 'b', 'c']],
        ['funnel', ['a', 'b', 'd']],
      ]),
    );
    const byIds = Object.fromEntries(deliveries.map((d) => [d.connectionIds.join(','), d]));
    expect(Object.keys(byIds).sort()).toEqual(['a,b', 'c', 'd']);
    expect(byIds['a,b']?.channels).toEqual(['overview', 'funnel']);
    expect(framesOfMessage(byIds['a,b']!.body).map((f) => [f.channel, f.seq])).toEqual([
      ['overview', 3],
      ['funnel', 7],
    ]);
    // A lone frame travels bare, as clients of a single channel expect.
    expect(byIds.c?.body).toBe(frame('overview', 3));
    const posts = deliveries.reduce((n, d) => n + d.connectionIds.length, 0);
    expect(posts).toBe(4);
  });

  it('leaves out channels nobody listens to and connections with nothing new', () => {
    expect(planDeliveries(new Map([['ops', frame('ops', 1)]]), new Map([['overview', ['a']]]))).toEqual([]);
  });

  it('rejects a bundle that is not one', () => {
    expect(() => framesOfMessage('{"type":"frames","frames":{}}')).toThrow(FrameError);
    expect(() => framesOfMessage('{"type":"frames",')).toThrow(/not JSON/);
    expect(() => framesOfMessage(bundleBody([frame('a', 1), '{"type":"x"}']))).toThrow(/frame.type/);
  });
});
