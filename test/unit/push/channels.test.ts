import { describe, expect, it } from 'vitest';
import { ALL_CHANNELS, parseChannel, parseChannelList } from '../../../core/push/channels.ts';
import { parseChannelRequest } from '../../../core/push/client-message.ts';

describe('channels', () => {
  it('parses every listed channel back to its own name', () => {
    for (const name of ALL_CHANNELS) expect(() => parseChannel(name)).not.toThrow();
    expect(parseChannel('timeseries:events')).toEqual({ kind: 'timeseries', metric: 'events' });
    expect(parseChannel('top:products')).toEqual({ kind: 'top', dimension: 'products' });
  });

  it('names the field and the rule for bad channels', () => {
    expect(() => parseChannel('timeseries:nope', 'channels[2]')).toThrow(
      /channels\[2\]: timeseries:<metric>/,
    );
    expect(() => parseChannel('top:')).toThrow(/top:<dimension> needs one of/);
    expect(() => parseChannel('overview:x')).toThrow(/takes no ":" argument/);
    expect(() => parseChannel('stocks')).toThrow(/is not a channel/);
    expect(() => parseChannel(3)).toThrow(/must be a string/);
  });

  it('dedupes a list and caps its size', () => {
    expect(parseChannelList(['overview', 'overview', 'ops'])).toEqual(['overview', 'ops']);
    expect(() => parseChannelList([])).toThrow(/non-empty array/);
    expect(() => parseChannelList(Array(33).fill('ops'))).toThrow(/at most 32/);
  });

  it('parses client messages', () => {
    expect(parseChannelRequest('{"action":"subscribe","channels":["funnel"]}')).toEqual({
      action: 'subscribe',
      channels: ['funnel'],
    });
    expect(() => parseChannelRequest('nope')).toThrow(/body: must be JSON/);
    expect(() => parseChannelRequest('{"action":"go","channels":["funnel"]}')).toThrow(/action:/);
    expect(() => parseChannelRequest('{"action":"subscribe","channels":["x"]}')).toThrow(/channels\[0\]/);
  });
});
