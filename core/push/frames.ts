import { InputError } from '../errors/spate-error.ts';
import { createMergePatch, type JsonObject } from './merge-patch.ts';

/**
 * What a dashboard receives for a channel. `seq` grows by one per frame of the channel, so a
 * client that sees a gap knows it missed a delta and resyncs from a snapshot.
 */
export interface SnapshotFrame {
  readonly type: 'snapshot';
  readonly channel: string;
  readonly seq: number;
  /** When the numbers were read from the aggregates (epoch ms): frame latency starts here. */
  readonly at: number;
  readonly data: JsonObject;
}

export interface DeltaFrame {
  readonly type: 'delta';
  readonly channel: string;
  readonly seq: number;
  readonly at: number;
  /** RFC 7386 merge patch against the data of frame seq - 1. */
  readonly patch: JsonObject;
}

export type Frame = SnapshotFrame | DeltaFrame;

/** Every Nth frame is a snapshot anyway, so a client that joined late converges without asking. */
export const SNAPSHOT_EVERY = 20;

/**
 * The frame for a new snapshot given the previous one, or undefined when nothing changed.
 * A delta is chosen only when it is smaller than the snapshot it stands for.
 */
export function frameFor(
  channel: string,
  seq: number,
  at: number,
  previous: JsonObject | undefined,
  next: JsonObject,
): Frame | undefined {
  const snapshot: SnapshotFrame = { type: 'snapshot', channel, seq, at, data: next };
  if (previous === undefined || seq % SNAPSHOT_EVERY === 0) return snapshot;
  const patch = createMergePatch(previous, next);
  if (patch === undefined) return undefined;
  const delta: DeltaFrame = { type: 'delta', channel, seq, at, patch };
  return JSON.stringify(patch).length < JSON.stringify(next).length ? delta : snapshot;
}

export class FrameError extends InputError {
  override readonly name = 'FrameError';
}

/** Checks a frame from the wire (the dashboard's side of the socket). */
export function parseFrame(text: string): Frame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError('frame: not JSON');
  }
  return checkFrame(value);
}

/** Checks a frame already parsed from JSON (one of a bundle, one of a subscribe reply). */
export function checkFrame(value: unknown): Frame {
  const f = (value ?? {}) as {
    type?: unknown;
    channel?: unknown;
    seq?: unknown;
    at?: unknown;
    data?: unknown;
    patch?: unknown;
  };
  if (f.type !== 'snapshot' && f.type !== 'delta')
    throw new FrameError('frame.type: must be snapshot or delta');
  if (typeof f.channel !== 'string') throw new FrameError('frame.channel: must be a string');
  if (!Number.isInteger(f.seq) || (f.seq as number) < 1)
    throw new FrameError('frame.seq: must be a positive integer');
  if (typeof f.at !== 'number') throw new FrameError('frame.at: must be epoch milliseconds');
  const body = f.type === 'snapshot' ? f.data : f.patch;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new FrameError(`frame.${f.type === 'snapshot' ? 'data' : 'patch'}: must be an object`);
  return f as unknown as Frame;
}
