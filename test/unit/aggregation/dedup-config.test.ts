import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../io/config/env-reader.ts';
import { readHotAggregatorConfig } from '../../../io/redis/hot-aggregator-config.ts';

describe('the dedup window of the hot aggregators', () => {
  it('is the hot tier life, 24 h, unless SPATE_DEDUP_WINDOW_HOURS says otherwise', () => {
    expect(readHotAggregatorConfig({}).dedupWindowSeconds).toBe(86_400);
    expect(readHotAggregatorConfig({ SPATE_DEDUP_WINDOW_HOURS: '6' }).dedupWindowSeconds).toBe(21_600);
  });

  it('refuses a window that is not a whole number of hours from 1 to 168', () => {
    for (const bad of ['0', '169', '1.5', 'day'])
      expect(() => readHotAggregatorConfig({ SPATE_DEDUP_WINDOW_HOURS: bad })).toThrow(ConfigError);
  });
});
