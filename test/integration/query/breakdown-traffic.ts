import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';

const DAY_MS = 86_400_000;

const SOURCES = [
  { source: 'google', medium: 'organic', campaign: null, referrer: 'https://www.google.com/search?q=shoes' },
  { source: 'google', medium: 'cpc', campaign: 'spring-sale', referrer: 'https://www.google.com/' },
  { source: 'newsletter', medium: 'email', campaign: 'launch, day 1', referrer: undefined },
  { source: 'facebook', medium: 'social', campaign: '=launch', referrer: 'https://m.facebook.com/' },
  { source: '(direct)', medium: '(none)', campaign: null, referrer: undefined },
];
const AGENTS = [
  { browser: 'Chrome', browser_version: '120', os: 'Android', device_type: 'mobile' as const },
  { browser: 'Safari', browser_version: '17', os: 'iOS', device_type: 'mobile' as const },
  { browser: 'Firefox', browser_version: '121', os: 'Linux', device_type: 'desktop' as const },
  { browser: 'Safari', browser_version: '17', os: 'iPadOS', device_type: 'tablet' as const },
];
const PAGES = ['/', '/shoes', '/shoes/red', '/checkout'];

/** A day of seeded shop traffic with every dimension varied; visitors u0-u59 come back each day. */
export function dayOfTraffic(seed: number, dayMs: number, n: number): EnrichedEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const { referrer, ...visit } = pick(SOURCES);
    const purchase = random() < 0.25;
    const anonymous = random() < 0.2;
    const path = pick(PAGES);
    const plan = random();
    return enrichedEvent({
      project: random() < 0.9 ? PROJECT : 'other',
      type: purchase ? 'purchase' : random() < 0.6 ? 'page_view' : 'add_to_cart',
      user_id: anonymous ? null : `u${Math.floor(random() * 60)}`,
      anonymous_id: anonymous ? `a${Math.floor(random() * 20)}` : null,
      is_bot: random() < 0.05,
      timestamp: new Date(dayMs + Math.floor((i / n) * DAY_MS)).toISOString(),
      page: {
        path,
        url: `https://shop.example${path}`,
        ...(referrer ? { referrer } : {}),
      },
      order: purchase
        ? {
            id: `o${seed}-${i}`,
            revenue: Math.round(random() * 20_000) / 100,
            currency: random() < 0.8 ? 'EUR' : 'USD',
          }
        : null,
      user_agent: pick(AGENTS),
      geo: random() < 0.1 ? null : { country: pick(['DE', 'FR', 'US']), region: null, city: null },
      attribution: { ...visit, term: null, content: null, click_ids: {} },
      properties: plan < 0.3 ? null : { plan: plan < 0.7 ? 'free' : 'pro', seats: Math.floor(plan * 10) },
    });
  });
}

export const KEY_OF: Record<string, (e: EnrichedEvent) => string> = {
  type: (e) => e.type,
  source: (e) => e.attribution.source,
  medium: (e) => e.attribution.medium,
  campaign: (e) => e.attribution.campaign ?? '',
  referrer: (e) => (e.page?.referrer ? new URL(e.page.referrer).hostname.replace(/^www\./, '') : ''),
  device: (e) => e.user_agent.device_type,
  browser: (e) => e.user_agent.browser ?? '',
  os: (e) => e.user_agent.os ?? '',
  country: (e) => e.geo?.country ?? '',
  page: (e) => e.page?.path ?? '',
  'prop.plan': (e) => String(e.properties?.plan ?? ''),
  'prop.seats': (e) => (e.properties ? String(e.properties.seats) : ''),
};
