import { InputError } from '../errors/spate-error.ts';
import { parseChannelList } from './channels.ts';

/** What a dashboard sends on its socket; the action is also the route key. */
export interface ChannelRequest {
  readonly action: 'subscribe' | 'unsubscribe';
  readonly channels: string[];
}

/** A message on the socket that is not a valid request: answered on the socket, 400. */
export class ClientMessageError extends InputError {
  override readonly name = 'ClientMessageError';
}

export function parseChannelRequest(body: string | undefined): ChannelRequest {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    throw new ClientMessageError('body: must be JSON like {"action":"subscribe","channels":["overview"]}');
  }
  const { action, channels } = (value ?? {}) as { action?: unknown; channels?: unknown };
  if (action !== 'subscribe' && action !== 'unsubscribe')
    throw new ClientMessageError('action: must be "subscribe" or "unsubscribe"');
  try {
    return { action, channels: parseChannelList(channels) };
  } catch (err) {
    throw new ClientMessageError((err as Error).message);
  }
}
