/**
 * Coalescing: each channel may push once per interval. The first invocation inside an interval
 * pushes at once (leading edge); one that finds the interval taken waits for its end and tries
 * again with fresh numbers (trailing edge), so the last change before a quiet spell is still
 * shown. Whatever the event rate, a channel gets at most 1000 / intervalMs frames a second.
 */
export const PUSH_INTERVAL_MS = 500;

export type GateReply =
  /** This caller holds the interval: read, push. */
  | { readonly claimed: true }
  /** Someone pushed less than an interval ago; the gate reopens in this many ms. */
  | { readonly claimed: false; readonly reopensInMs: number };

export type PushStep =
  | { readonly action: 'push' }
  | { readonly action: 'wait'; readonly ms: number }
  | { readonly action: 'skip' };

/** Past this many attempts an invocation leaves the channel to whoever holds it. */
const MAX_ATTEMPTS = 3;
/**
 * Added to every trailing wait: Node's timers may fire a millisecond early and PTTL rounds
 * down, so a wait of exactly `reopensInMs` can find the old interval still held.
 */
const EXPIRY_MARGIN_MS = 2;

/**
 * What to do after asking the gate. The first refusal waits for the interval to end (trailing
 * edge). A later one means either the interval we waited for is not quite over (little time
 * left: wait again), or another invocation has claimed the next one (most of it left): that
 * one reads the aggregates after this one's records were counted and pushes them, so this
 * one leaves the channel to it.
 */
export function nextPushStep(reply: GateReply, attempt: number, intervalMs = PUSH_INTERVAL_MS): PushStep {
  if (reply.claimed) return { action: 'push' };
  const wait: PushStep = { action: 'wait', ms: Math.max(0, reply.reopensInMs) + EXPIRY_MARGIN_MS };
  if (attempt === 0) return wait;
  if (attempt >= MAX_ATTEMPTS || reply.reopensInMs >= intervalMs / 2) return { action: 'skip' };
  return wait;
}
