import WebSocket from 'ws';
import { framesOfMessage } from '../../core/push/frame-bundles.ts';
import { ChannelState } from '../../core/push/frame-sequence.ts';
import type { LocalEndpoints } from '../../local/stack/endpoints.ts';
import { probeType, sendProbeEvent } from './pipeline-probe.ts';

const CHANNEL = 'overview';

/**
 * A dashboard as the user has it: a real WebSocket client of the local gateway, subscribed to
 * the overview channel, applying its frames in seq order. A probe event of a type of its own is
 * timed from its send until the first applied frame whose `by_type` counts it, so the figure
 * covers ingest, the stream, the aggregator, Redis, the broadcaster's coalescing and the push.
 */
export class DashboardProbe {
  private socket: WebSocket | undefined;
  private readonly state = new ChannelState();
  /** Probe type -> [sent at, resolve]. */
  private readonly pending = new Map<string, { sentAt: number; done: (ms: number) => void }>();
  /** Deltas that did not follow the held seq: each costs a wait for the next snapshot. */
  gaps = 0;

  constructor(private readonly endpoints: LocalEndpoints) {}

  async open(timeoutMs = 30_000): Promise<void> {
    const url = `${this.endpoints.ws}?token=${encodeURIComponent(this.endpoints.dashboardToken)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('dashboard probe: not subscribed in time')), timeoutMs);
      socket.once('error', reject);
      socket.once('open', () => this.subscribe());
      socket.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        if (text.startsWith('{"type":"subscribed"')) {
          // The reply carries the channel's last snapshot: where deltas continue from.
          this.onFrames(
            JSON.stringify({ type: 'frames', frames: (JSON.parse(text) as { frames: unknown[] }).frames }),
          );
          clearTimeout(timer);
          resolve();
          return;
        }
        if (text.startsWith('{"type":"error"')) return;
        this.onFrames(text);
      });
    });
  }

  private subscribe(): void {
    this.socket?.send(JSON.stringify({ action: 'subscribe', channels: [CHANNEL] }));
  }

  private onFrames(text: string): void {
    const receivedAt = performance.now();
    for (const frame of framesOfMessage(text)) {
      if (frame.channel !== CHANNEL) continue;
      const outcome = this.state.accept(frame);
      if (outcome.kind === 'gap') {
        // As the dashboard does: start over from the snapshot a fresh subscription replies with.
        this.gaps++;
        this.state.reset();
        this.subscribe();
        continue;
      }
      if (outcome.kind !== 'applied') continue;
      const byType = (outcome.data.by_type ?? {}) as Record<string, number>;
      for (const [type, probe] of this.pending) {
        if ((byType[type] ?? 0) < 1) continue;
        this.pending.delete(type);
        probe.done(receivedAt - probe.sentAt);
      }
    }
  }

  /** Sends one probe event and resolves with ms until a frame counted it (Infinity after the timeout). */
  async eventToDashboardMs(timeoutMs = 30_000): Promise<number> {
    const type = probeType();
    const sentAt = performance.now();
    const seen = new Promise<number>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(type);
        resolve(Number.POSITIVE_INFINITY);
      }, timeoutMs);
      this.pending.set(type, {
        sentAt,
        done: (ms) => {
          clearTimeout(timer);
          resolve(ms);
        },
      });
    });
    const status = await sendProbeEvent(this.endpoints, type, Date.now());
    if (status !== 200) {
      this.pending.get(type)?.done(Number.POSITIVE_INFINITY);
      throw new Error(`probe event refused with ${status}`);
    }
    return seen;
  }

  close(): void {
    this.socket?.terminate();
    for (const probe of this.pending.values()) probe.done(Number.POSITIVE_INFINITY);
    this.pending.clear();
  }
}
