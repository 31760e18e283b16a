import { describe, expect, it } from 'vitest';
import { readPushConfig } from '../../../io/push/push-config.ts';

const base = { SPATE_REDIS_URL: 'redis://127.0.0.1:6379' };

describe('push settings', () => {
  it('record unwatched channels twice per freshness span unless told otherwise', () => {
    expect(readPushConfig(base).unwatchedRefreshMs).toBe(1000);
    expect(readPushConfig({ ...base, SPATE_UNWATCHED_REFRESH_MS: '0' }).unwatchedRefreshMs).toBe(0);
  });

  it('refuse a refresh period the query API would never serve, naming the setting and its range', () => {
    expect(() => readPushConfig({ ...base, SPATE_UNWATCHED_REFRESH_MS: '5000' })).toThrow(
      'SPATE_UNWATCHED_REFRESH_MS must be an integer from 0 to 2000, got "5000"',
    );
  });
});
