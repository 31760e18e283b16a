import type { Redis } from 'ioredis';
import { type FunnelCatalog, funnelFor } from '../../core/aggregation/funnel-definition.ts';
import { ALL_CHANNELS } from '../../core/push/channels.ts';
import { frameFor } from '../../core/push/frames.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { nextPushStep } from '../../core/push/push-throttle.ts';
import type { ChannelLedger } from './channel-ledger.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import type { FanOut, FanOutReport } from './fan-out.ts';
import { LiveAggregates } from './live-aggregates.ts';

export type ChannelOutcome =
  | { readonly channel: string; readonly outcome: 'no-subscribers' | 'coalesced' | 'unchanged' | 'no-data' }
  | {
      readonly channel: string;
      readonly outcome: 'pushed';
      readonly seq: number;
      readonly frame: 'snapshot' | 'delta';
      readonly bytes: number;
      readonly fanOut: FanOutReport;
    };

export interface BroadcasterDeps {
  readonly redis: Redis;
  readonly registry: ConnectionRegistry;
  readonly ledger: ChannelLedger;
  readonly fanOut: FanOut;
  readonly funnels: FunnelCatalog;
  readonly intervalMs: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Pushes every subscribed channel of a project: claims the channel's interval, reads the live
 * numbers, and sends a frame (delta or snapshot, next seq) only when they changed, the same
 * bytes to every subscriber. Channels are pushed side by side, so one channel's trailing wait
 * does not hold back another.
 */
export class Broadcaster {
  readonly #deps: BroadcasterDeps;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(deps: BroadcasterDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async broadcast(project: string, channels: readonly string[] = ALL_CHANNELS): Promise<ChannelOutcome[]> {
    // Channels claimed at the same moment share one read of the aggregates.
    let shared: LiveAggregates | undefined;
    const funnel = funnelFor(this.#deps.funnels, project);
    const aggregates = () => {
      const now = this.#now();
      if (!shared || now - shared.nowMs > 50)
        shared = new LiveAggregates(this.#deps.redis, project, funnel, now);
      return shared;
    };
    return Promise.all(channels.map((channel) => this.#pushChannel(project, channel, aggregates)));
  }

  async #pushChannel(
    project: string,
    channel: string,
    aggregates: () => LiveAggregates,
  ): Promise<ChannelOutcome> {
    const { registry, ledger, fanOut, intervalMs } = this.#deps;
    if ((await registry.subscribers(project, channel)).length === 0)
      return { channel, outcome: 'no-subscribers' };
    for (let attempt = 0; ; attempt++) {
      const step = nextPushStep(await ledger.claim(project, channel, intervalMs), attempt);
      if (step.action === 'skip') return { channel, outcome: 'coalesced' };
      if (step.action === 'wait') {
        await this.#sleep(step.ms);
        continue;
      }
      const live = aggregates();
      const snapshot = await live.snapshot(channel);
      if (snapshot === undefined) return { channel, outcome: 'no-data' };
      const recorded = await ledger.record(project, channel, JSON.stringify(snapshot), live.nowMs);
      if (!recorded.changed) return { channel, outcome: 'unchanged' };
      const previous = recorded.previous ? (JSON.parse(recorded.previous) as JsonObject) : undefined;
      const frame = frameFor(channel, recorded.seq, live.nowMs, previous, snapshot);
      if (!frame) return { channel, outcome: 'unchanged' };
      const bytes = encoder.encode(JSON.stringify(frame));
      // Read again: a dashboard that subscribed while the numbers were read gets this frame too.
      const report = await fanOut.send(bytes, await registry.subscribers(project, channel));
      return {
        channel,
        outcome: 'pushed',
        seq: recorded.seq,
        frame: frame.type,
        bytes: bytes.length,
        fanOut: report,
      };
    }
  }
}
