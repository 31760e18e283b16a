import type { Frame } from './frames.ts';
import { applyMergePatch, type JsonObject } from './merge-patch.ts';

export type FrameOutcome =
  /** The channel's data moved on. */
  | { readonly kind: 'applied'; readonly data: JsonObject }
  /** Older than what the client holds (a late or repeated frame): ignored. */
  | { readonly kind: 'stale' }
  /** A delta that does not follow the held seq: the client must resync from a snapshot. */
  | { readonly kind: 'gap'; readonly expected: number; readonly got: number };

/**
 * One channel's state on the client: snapshots replace, deltas apply only in order, and a
 * gap is reported instead of guessed over, so the numbers shown are never silently wrong.
 */
export class ChannelState {
  #seq = 0;
  #data: JsonObject | undefined;

  get seq(): number {
    return this.#seq;
  }

  get data(): JsonObject | undefined {
    return this.#data;
  }

  accept(frame: Frame): FrameOutcome {
    if (frame.seq <= this.#seq) return { kind: 'stale' };
    if (frame.type === 'snapshot') {
      this.#seq = frame.seq;
      this.#data = frame.data;
      return { kind: 'applied', data: frame.data };
    }
    if (this.#data === undefined || frame.seq !== this.#seq + 1)
      return { kind: 'gap', expected: this.#seq + 1, got: frame.seq };
    this.#seq = frame.seq;
    this.#data = applyMergePatch(this.#data, frame.patch);
    return { kind: 'applied', data: this.#data };
  }

  /** A resync starts over from the next snapshot, whatever its seq (the server may have restarted). */
  reset(): void {
    this.#seq = 0;
    this.#data = undefined;
  }
}
