/**
 * Coalescing: each channel may push once per interval. The first invocation inside an interval
 * pushes at once (leading edge); one that finds the interval taken waits for its end and tries
 * once more with fresh numbers (trailing edge), so the last change before a quiet spell is
 * still shown. Whatever the event rate, a channel gets at most 1000 / intervalMs frames a second.
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

/**
 * What to do after asking the gate. A trailing wait happens once per invocation; a caller that
 * loses twice leaves the channel to whoever won, which will itself push what is newest.
 */
export function nextPushStep(reply: GateReply, attempt: number): PushStep {
  if (reply.claimed) return { action: 'push' };
  if (attempt > 0) return { action: 'skip' };
  return { action: 'wait', ms: Math.max(1, reply.reopensInMs) };
}
