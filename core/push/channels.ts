import { InputError } from '../errors/spate-error.ts';

/**
 * Channels a dashboard subscribes to. Each names one panel's data, so the broadcaster computes
 * a channel's snapshot once per push and sends the same bytes to every subscriber.
 */
export const TIMESERIES_METRICS = ['events', 'revenue', 'orders'] as const;
export type TimeseriesMetric = (typeof TIMESERIES_METRICS)[number];

export const TOP_DIMENSIONS = ['products', 'pages', 'referrers', 'carts', 'purchases'] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

export type Channel =
  | { readonly kind: 'overview' }
  | { readonly kind: 'timeseries'; readonly metric: TimeseriesMetric }
  | { readonly kind: 'top'; readonly dimension: TopDimension }
  | { readonly kind: 'funnel' }
  | { readonly kind: 'tweets' }
  | { readonly kind: 'alerts' }
  | { readonly kind: 'ops' }
  | { readonly kind: 'sessions' }
  /** Live breakdowns by every fixed dimension (core/push/breakdowns-snapshot.ts). */
  | { readonly kind: 'breakdowns' };

const PLAIN = ['overview', 'funnel', 'tweets', 'alerts', 'ops', 'sessions', 'breakdowns'] as const;

/** Every channel there is; small enough to list, so the broadcaster can walk them all. */
export const ALL_CHANNELS: readonly string[] = [
  ...PLAIN,
  ...TIMESERIES_METRICS.map((m) => `timeseries:${m}`),
  ...TOP_DIMENSIONS.map((d) => `top:${d}`),
];

/** A channel name that is not one of Spate's: 400, naming the field that held it. */
export class ChannelError extends InputError {
  override readonly name = 'ChannelError';
}

export function parseChannel(text: unknown, field = 'channel'): Channel {
  if (typeof text !== 'string') throw new ChannelError(`${field}: must be a string`);
  const [kind, arg, extra] = text.split(':');
  if (extra !== undefined) throw new ChannelError(`${field}: "${text}" has more than one ":"`);
  if ((PLAIN as readonly string[]).includes(kind ?? '')) {
    if (arg !== undefined) throw new ChannelError(`${field}: "${kind}" takes no ":" argument`);
    return { kind: kind as (typeof PLAIN)[number] };
  }
  if (kind === 'timeseries') {
    if (!(TIMESERIES_METRICS as readonly string[]).includes(arg ?? ''))
      throw new ChannelError(`${field}: timeseries:<metric> needs one of ${TIMESERIES_METRICS.join(', ')}`);
    return { kind, metric: arg as TimeseriesMetric };
  }
  if (kind === 'top') {
    if (!(TOP_DIMENSIONS as readonly string[]).includes(arg ?? ''))
      throw new ChannelError(`${field}: top:<dimension> needs one of ${TOP_DIMENSIONS.join(', ')}`);
    return { kind, dimension: arg as TopDimension };
  }
  throw new ChannelError(`${field}: "${text}" is not a channel (known: ${ALL_CHANNELS.join(', ')})`);
}

export function channelName(channel: Channel): string {
  if (channel.kind === 'timeseries') return `timeseries:${channel.metric}`;
  if (channel.kind === 'top') return `top:${channel.dimension}`;
  return channel.kind;
}

/** At most this many channels in one subscribe message: every panel of the dashboard fits. */
export const MAX_CHANNELS_PER_MESSAGE = 32;

export function parseChannelList(value: unknown, field = 'channels'): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new ChannelError(`${field}: must be a non-empty array of channel names`);
  if (value.length > MAX_CHANNELS_PER_MESSAGE)
    throw new ChannelError(`${field}: at most ${MAX_CHANNELS_PER_MESSAGE} channels, got ${value.length}`);
  return [...new Set(value.map((v, i) => channelName(parseChannel(v, `${field}[${i}]`))))];
}
