import type { Redis } from 'ioredis';
import { type FunnelCatalog, funnelFor } from '../../core/aggregation/funnel-definition.ts';
import { ALL_CHANNELS } from '../../core/push/channels.ts';
import { planDeliveries } from '../../core/push/frame-bundles.ts';
import { type Frame, frameFor } from '../../core/push/frames.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { type GateReply, nextPushStep } from '../../core/push/push-throttle.ts';
import type { ChannelLedger } from './channel-ledger.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import type { FanOut, FanOutReport } from './fan-out.ts';
import { LiveAggregates } from './live-aggregates.ts';
import { channelSnapshot } from './session-channel.ts';

export type ChannelOutcome =
  | {
      readonly channel: string;
      /** `recorded`: nobody watches it, and its snapshot was stored for the query API. */
      readonly outcome: 'no-subscribers' | 'recorded' | 'coalesced' | 'unchanged' | 'no-data';
    }
  | {
      readonly channel: string;
      readonly outcome: 'pushed';
      readonly seq: number;
      readonly frame: 'snapshot' | 'delta';
      readonly bytes: number;
      /** Summed over the deliveries that carried this frame. */
      readonly fanOut: FanOutReport;
      /** The posts that carried it; one delivery may carry several channels' frames. */
      readonly deliveries: readonly FanOutReport[];
    };
export interface BroadcasterDeps {
  readonly redis: Redis;
  readonly registry: ConnectionRegistry;
  readonly ledger: ChannelLedger;
  readonly fanOut: FanOut;
  readonly funnels: FunnelCatalog;
  readonly intervalMs: number;
  /**
   * How often the channels nobody watches are recorded anyway, so the query API answers a first
   * visitor's snapshot with one read (core/push/snapshot-freshness.ts).
   * @default 0 (never: only watched channels are read)
   */
  readonly unwatchedRefreshMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Pushes every subscribed channel of a project: claims each channel's interval, reads the live
 * numbers once for all claimed channels, and sends a frame (delta or snapshot, next seq) for
 * each that changed, all frames for a connection in one post (core/push/frame-bundles.ts). A
 * channel whose interval is taken waits once for it to reopen (trailing edge), together with
 * the other waiting channels, and they are pushed as a second bundle. Channels nobody watches
 * get no frame, but their snapshots are recorded once per refresh period when that is on.
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
    const listened = await Promise.all(
      channels.map(async (c) => [c, await this.#deps.registry.subscribers(project, c)] as const),
    );
    // Side by side: the pushes may wait out an interval, which the recording need not.
    const [pushed, recorded] = await Promise.all([
      this.#pushWatched(
        project,
        listened.filter(([, ids]) => ids.length > 0).map(([c]) => c),
      ),
      this.#recordUnwatched(
        project,
        listened.filter(([, ids]) => ids.length === 0).map(([c]) => c),
      ),
    ]);
    return [...pushed, ...recorded];
  }

  async #pushWatched(project: string, channels: readonly string[]): Promise<ChannelOutcome[]> {
    const { ledger, intervalMs } = this.#deps;
    const outcomes: ChannelOutcome[] = [];
    const funnel = funnelFor(this.#deps.funnels, project);
    let pending = channels;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const replies = await Promise.all(pending.map((c) => ledger.claim(project, c, intervalMs)));
      const claimed: string[] = [];
      let waitMs = 0;
      const waiting: string[] = [];
      pending.forEach((channel, i) => {
        const step = nextPushStep(replies[i] as GateReply, attempt, intervalMs);
        if (step.action === 'push') claimed.push(channel);
        else if (step.action === 'wait') {
          waiting.push(channel);
          waitMs = Math.max(waitMs, step.ms);
        } else outcomes.push({ channel, outcome: 'coalesced' });
      });
      if (claimed.length > 0) {
        // Channels claimed at the same moment share one read of the aggregates.
        const live = new LiveAggregates(this.#deps.redis, project, funnel, this.#now());
        outcomes.push(...(await this.#push(project, claimed, live)));
      }
      if (waiting.length === 0) break;
      await this.#sleep(waitMs);
      pending = waiting;
    }
    return outcomes;
  }

  /**
   * Stores the snapshots of channels nobody watches, each at most once per refresh period
   * whatever the number of invocations. No frame goes out; the sequence moves on with the body,
   * so a dashboard that subscribes later starts from it as from any pushed snapshot.
   */
  async #recordUnwatched(project: string, channels: readonly string[]): Promise<ChannelOutcome[]> {
    const periodMs = this.#deps.unwatchedRefreshMs ?? 0;
    const claimed = periodMs > 0 ? await this.#deps.ledger.claimRefresh(project, channels, periodMs) : [];
    const outcomes: ChannelOutcome[] = channels
      .filter((channel) => !claimed.includes(channel))
      .map((channel) => ({ channel, outcome: 'no-subscribers' }));
    if (claimed.length === 0) return outcomes;
    const { ledger } = this.#deps;
    const live = new LiveAggregates(
      this.#deps.redis,
      project,
      funnelFor(this.#deps.funnels, project),
      this.#now(),
    );
    const recorded = await Promise.all(
      claimed.map(async (channel): Promise<ChannelOutcome> => {
        const snapshot = await channelSnapshot(this.#deps.redis, project, live, channel);
        if (snapshot === undefined) return { channel, outcome: 'no-data' };
        await ledger.record(project, channel, JSON.stringify(snapshot), live.nowMs);
        return { channel, outcome: 'recorded' };
      }),
    );
    return [...outcomes, ...recorded];
  }

  async #push(project: string, channels: readonly string[], live: LiveAggregates): Promise<ChannelOutcome[]> {
    const { registry, ledger, fanOut } = this.#deps;
    const outcomes: ChannelOutcome[] = [];
    const frames = new Map<string, { text: string; frame: Frame }>();
    await Promise.all(
      channels.map(async (channel) => {
        const snapshot = await channelSnapshot(this.#deps.redis, project, live, channel);
        if (snapshot === undefined) return outcomes.push({ channel, outcome: 'no-data' });
        const recorded = await ledger.record(project, channel, JSON.stringify(snapshot), live.nowMs);
        if (!recorded.changed) return outcomes.push({ channel, outcome: 'unchanged' });
        const previous = recorded.previous ? (JSON.parse(recorded.previous) as JsonObject) : undefined;
        const frame = frameFor(channel, recorded.seq, live.nowMs, previous, snapshot);
        if (!frame) return outcomes.push({ channel, outcome: 'unchanged' });
        frames.set(channel, { text: JSON.stringify(frame), frame });
      }),
    );
    if (frames.size === 0) return outcomes;
    // Read again: a dashboard that subscribed while the numbers were read gets these frames too.
    const ordered = channels.filter((c) => frames.has(c));
    const subscribers = new Map(
      await Promise.all(ordered.map(async (c) => [c, await registry.subscribers(project, c)] as const)),
    );
    const deliveries = planDeliveries(
      new Map(ordered.map((c) => [c, frames.get(c)?.text as string])),
      subscribers,
    );
    const reports = new Map<string, FanOutReport[]>();
    for (const delivery of deliveries) {
      const report = await fanOut.send(encoder.encode(delivery.body), delivery.connectionIds);
      for (const c of delivery.channels) reports.set(c, [...(reports.get(c) ?? []), report]);
    }
    for (const channel of ordered) {
      const { text, frame } = frames.get(channel) as { text: string; frame: Frame };
      const carried = reports.get(channel) ?? [];
      outcomes.push({
        channel,
        outcome: 'pushed',
        seq: frame.seq,
        frame: frame.type,
        bytes: encoder.encode(text).length,
        fanOut: sumReports(carried),
        deliveries: carried,
      });
    }
    return outcomes;
  }
}

function sumReports(reports: readonly FanOutReport[]): FanOutReport {
  return {
    sent: reports.reduce((n, r) => n + r.sent, 0),
    gone: reports.reduce((n, r) => n + r.gone, 0),
    failed: reports.reduce((n, r) => n + r.failed, 0),
    errors: reports.flatMap((r) => r.errors).slice(0, 5),
  };
}
