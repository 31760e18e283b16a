import { checkFrame, type Frame, FrameError, parseFrame } from './frames.ts';

/**
 * One post per connection per push, whatever the number of channels: a dashboard subscribes
 * to a dozen channels, and each @connections post costs the sender a signed HTTPS request, so
 * frames pushed together travel together. Connections with the same subscriptions (nearly all
 * dashboards) share one encoded message. A single frame travels bare, as it always has.
 */
export interface Delivery {
  readonly body: string;
  readonly channels: readonly string[];
  readonly connectionIds: readonly string[];
}

export function bundleBody(frameTexts: readonly string[]): string {
  if (frameTexts.length === 1) return frameTexts[0] as string;
  return `{"type":"frames","frames":[${frameTexts.join(',')}]}`;
}

/**
 * `frames`: channel -> encoded frame, in the order to send; `subscribers`: channel -> connection
 * ids. Each connection appears in exactly one delivery, carrying every frame it subscribed to.
 */
export function planDeliveries(
  frames: ReadonlyMap<string, string>,
  subscribers: ReadonlyMap<string, readonly string[]>,
): Delivery[] {
  const channelsOf = new Map<string, string[]>();
  for (const channel of frames.keys())
    for (const id of subscribers.get(channel) ?? []) {
      const list = channelsOf.get(id);
      if (list) list.push(channel);
      else channelsOf.set(id, [channel]);
    }
  const groups = new Map<string, { channels: string[]; ids: string[] }>();
  for (const [id, channels] of channelsOf) {
    const key = channels.join('\n');
    const group = groups.get(key);
    if (group) group.ids.push(id);
    else groups.set(key, { channels, ids: [id] });
  }
  return [...groups.values()].map((g) => ({
    body: bundleBody(g.channels.map((c) => frames.get(c) as string)),
    channels: g.channels,
    connectionIds: g.ids,
  }));
}

/** The frames of one pushed message, bare or bundled (the dashboard's side of the socket). */
export function framesOfMessage(text: string): Frame[] {
  if (!text.startsWith('{"type":"frames"')) return [parseFrame(text)];
  let value: { frames?: unknown };
  try {
    value = JSON.parse(text) as { frames?: unknown };
  } catch {
    throw new FrameError('message: not JSON');
  }
  if (!Array.isArray(value.frames)) throw new FrameError('message.frames: must be an array');
  return value.frames.map(checkFrame);
}
