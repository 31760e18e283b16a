import { ALL_CHANNELS } from '../../core/push/channels.ts';
import { framesOfMessage } from '../../core/push/frame-bundles.ts';
import { ChannelState } from '../../core/push/frame-sequence.ts';
import { checkFrame, type Frame } from '../../core/push/frames.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import type { DashboardConfig } from './config.ts';

export type Transport = 'connecting' | 'live' | 'polling';

export interface Degradation {
  readonly tier?: string;
  readonly component?: string;
  readonly store?: string;
  readonly error?: string;
}

export interface FeedState {
  readonly channels: Readonly<Record<string, JsonObject>>;
  /** When each channel last got good numbers (epoch ms). */
  readonly updatedAt: Readonly<Record<string, number>>;
  readonly transport: Transport;
  readonly degraded: readonly Degradation[];
  readonly ops: JsonObject | undefined;
  readonly resyncs: number;
}

const POLL_MS = 2000;

type SnapshotBody = Record<string, unknown>;

/** The feed as the first snapshot made it, for a first render that already shows numbers. */
function stateFromSnapshot(body: SnapshotBody, base: FeedState): FeedState {
  const channels = (body.channels ?? {}) as Record<string, JsonObject>;
  const updatedAt = { ...base.updatedAt };
  for (const name of Object.keys(channels)) updatedAt[name] = Number(body.at);
  return { ...base, channels: { ...base.channels, ...channels }, updatedAt };
}

const EMPTY: FeedState = {
  channels: {},
  updatedAt: {},
  transport: 'connecting',
  degraded: [],
  ops: undefined,
  resyncs: 0,
};

/**
 * The feed from the snapshot index.html has already received (and painted into the shell's
 * tiles), or undefined when it has not arrived yet.
 */
export function earlyFeedState(): FeedState | undefined {
  const body = (globalThis as { __spateSnapshotValue?: SnapshotBody }).__spateSnapshotValue;
  return body ? stateFromSnapshot(body, EMPTY) : undefined;
}

/** The snapshot index.html started fetching before this script ran; taken once. */
function takeEarlySnapshot(): Promise<Record<string, unknown>> | undefined {
  const holder = globalThis as { __spateSnapshot?: Promise<Record<string, unknown>> };
  const early = holder.__spateSnapshot;
  holder.__spateSnapshot = undefined;
  return early;
}
const OPS_POLL_MS = 3000;

/** Exponential backoff with jitter, capped, so a thousand dashboards do not reconnect in step. */
export function reconnectDelayMs(attempt: number, random = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * The dashboard's data: one snapshot request for the first paint, then frames over the
 * WebSocket; a gap resubscribes the channel (the reply carries a snapshot); while the socket
 * is down it polls the query API and keeps reconnecting with backoff.
 */
export class LiveFeed {
  readonly #config: DashboardConfig;
  readonly #onChange: (state: FeedState) => void;
  readonly #states = new Map<string, ChannelState>();
  #state: FeedState = earlyFeedState() ?? EMPTY;
  #socket: WebSocket | undefined;
  #wsUrl: string | undefined;
  #attempt = 0;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(config: DashboardConfig, onChange: (state: FeedState) => void) {
    this.#config = config;
    this.#wsUrl = config.wsUrl;
    this.#onChange = onChange;
  }

  async start(): Promise<void> {
    await this.#poll();
    const ops = setInterval(() => void this.#pollOps(), OPS_POLL_MS);
    this.#timers.push(ops as unknown as ReturnType<typeof setTimeout>);
    void this.#pollOps();
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#socket?.close();
  }

  #set(patch: Partial<FeedState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#onChange(this.#state);
  }

  async #fetch(path: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.#config.apiBase}${path}`, {
      headers: { authorization: `Bearer ${this.#config.token}` },
      cache: 'no-store',
    });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }

  /** The first paint, and the fallback while the socket is down. */
  async #poll(): Promise<void> {
    try {
      const body = await (takeEarlySnapshot() ?? this.#fetch('/v1/snapshot'));
      if (typeof body.ws_url === 'string' && !this.#wsUrl) this.#wsUrl = body.ws_url;
      const degraded = (body.degraded as Degradation[]) ?? [];
      // A down tier keeps the last good numbers on screen: only fresh channels replace them.
      const { channels, updatedAt } = stateFromSnapshot(body, this.#state);
      this.#set({ channels, updatedAt, degraded: this.#merge('hot', degraded) });
    } catch (err) {
      this.#set({ degraded: this.#merge('hot', [{ component: 'query API', error: String(err) }]) });
    }
  }

  async #pollOps(): Promise<void> {
    try {
      const body = await this.#fetch('/v1/ops');
      this.#set({
        ops: body as JsonObject,
        degraded: this.#merge('ops', (body.degraded as Degradation[]) ?? []),
      });
    } catch (err) {
      this.#set({ degraded: this.#merge('ops', [{ component: 'query API', error: String(err) }]) });
    }
  }

  // Degradations come from two sources (snapshot answers and ops); each replaces its own.
  #sources: Record<string, readonly Degradation[]> = {};
  #merge(source: string, list: readonly Degradation[]): Degradation[] {
    this.#sources[source] = list;
    const seen = new Set<string>();
    const out: Degradation[] = [];
    for (const d of Object.values(this.#sources).flat()) {
      const key = d.component ?? d.store ?? d.tier ?? '';
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
    return out;
  }

  #startPolling(): void {
    if (this.#pollTimer) return;
    this.#set({ transport: 'polling' });
    this.#pollTimer = setInterval(() => void this.#poll(), POLL_MS);
  }

  #stopPolling(): void {
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  #connect(): void {
    if (this.#stopped) return;
    if (!this.#wsUrl) {
      this.#startPolling();
      return;
    }
    const socket = new WebSocket(`${this.#wsUrl}?token=${encodeURIComponent(this.#config.token)}`);
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      for (const s of this.#states.values()) s.reset();
      socket.send(JSON.stringify({ action: 'subscribe', channels: ALL_CHANNELS }));
    };
    socket.onmessage = (message) => this.#onMessage(String(message.data));
    socket.onclose = () => {
      if (this.#socket !== socket || this.#stopped) return;
      this.#startPolling();
      const timer = setTimeout(() => this.#connect(), reconnectDelayMs(this.#attempt++));
      this.#timers.push(timer);
    };
  }

  #onMessage(text: string): void {
    if (text.startsWith('{"type":"subscribed"')) {
      const value = JSON.parse(text) as { frames?: unknown[] };
      this.#stopPolling();
      this.#set({ transport: 'live' });
      for (const f of value.frames ?? []) this.#onFrame(checkFrame(f));
      return;
    }
    if (text.startsWith('{"type":"error"')) return;
    // Frames pushed together arrive as one bundle; each is applied in order.
    for (const frame of framesOfMessage(text)) this.#onFrame(frame);
  }

  #onFrame(frame: Frame): void {
    let state = this.#states.get(frame.channel);
    if (!state) {
      state = new ChannelState();
      this.#states.set(frame.channel, state);
    }
    const outcome = state.accept(frame);
    if (outcome.kind === 'gap') {
      state.reset();
      this.#socket?.send(JSON.stringify({ action: 'subscribe', channels: [frame.channel] }));
      this.#set({ resyncs: this.#state.resyncs + 1 });
      return;
    }
    if (outcome.kind !== 'applied') return;
    this.#set({
      channels: { ...this.#state.channels, [frame.channel]: outcome.data },
      updatedAt: { ...this.#state.updatedAt, [frame.channel]: Date.now() },
      degraded: this.#merge('hot', []),
    });
  }
}
