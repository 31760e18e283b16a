import Bowser from 'bowser';
import { isbot } from 'isbot';
import type { UserAgentInfo } from '../events/enriched-event.ts';

export interface DeviceReading {
  readonly userAgent: UserAgentInfo;
  readonly isBot: boolean;
}

const UNKNOWN: DeviceReading = {
  userAgent: { browser: null, browser_version: null, os: null, device_type: 'unknown' },
  isBot: false,
};
const DEVICE_TYPES = new Set(['desktop', 'mobile', 'tablet', 'tv', 'bot']);

// Traffic repeats a few thousand user-agent strings; parsing is ~50x dearer than a lookup.
const CACHE_SIZE = 5000;
const cache = new Map<string, DeviceReading>();

/** Browser, OS, device type and whether the client is a bot (kept, but flagged). */
export function readUserAgent(ua: string | undefined | null): DeviceReading {
  if (!ua) return UNKNOWN;
  const cached = cache.get(ua);
  if (cached) return cached;
  const reading = parse(ua.slice(0, 1024));
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(ua, reading);
  return reading;
}

function parse(ua: string): DeviceReading {
  const result = Bowser.parse(ua);
  const bot = isbot(ua) || result.platform.type === 'bot';
  const platform = result.platform.type ?? '';
  const deviceType = bot ? 'bot' : DEVICE_TYPES.has(platform) ? platform : 'unknown';
  return {
    userAgent: {
      browser: result.browser.name || null,
      browser_version: result.browser.version || null,
      os: result.os.name || null,
      device_type: deviceType as UserAgentInfo['device_type'],
    },
    isBot: bot,
  };
}
