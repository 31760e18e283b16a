import type { EnrichedEvent } from '../../core/events/enriched-event.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { enrichedEvent } from '../../test/unit/aggregation/factories.ts';

/**
 * A month of a shop's seeded traffic with every breakdown dimension varied at the cardinality a
 * real shop sees: a dozen traffic sources, a long tail of campaigns and pages, forty countries,
 * eight browser/OS/device mixes, returning visitors, sessions, and a custom property. Events are
 * spread evenly over [fromMs, toMs) in time order, so a chunk is a stretch of time, as a stream
 * delivers it. Generated in chunks: ten million events never sit in memory at once.
 */
export interface SeededTraffic {
  readonly project: string;
  readonly events: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly seed: number;
}

const VISITS = [
  { source: 'google', medium: 'organic', referrer: 'https://www.google.com/search?q=shoes' },
  { source: 'google', medium: 'cpc', referrer: 'https://www.google.com/' },
  { source: 'bing', medium: 'organic', referrer: 'https://www.bing.com/' },
  { source: 'newsletter', medium: 'email', referrer: undefined },
  { source: 'facebook', medium: 'social', referrer: 'https://m.facebook.com/' },
  { source: 'instagram', medium: 'social', referrer: 'https://l.instagram.com/' },
  { source: 'tiktok', medium: 'social', referrer: 'https://www.tiktok.com/' },
  { source: 'x', medium: 'social', referrer: 'https://t.co/' },
  { source: 'partner-blog', medium: 'referral', referrer: 'https://blog.partner.example/review' },
  { source: 'affiliate', medium: 'affiliate', referrer: 'https://deals.example/' },
  { source: 'youtube', medium: 'video', referrer: 'https://www.youtube.com/' },
  { source: '(direct)', medium: '(none)', referrer: undefined },
];
const AGENTS = [
  { browser: 'Chrome', browser_version: '131', os: 'Android', device_type: 'mobile' as const },
  { browser: 'Safari', browser_version: '18', os: 'iOS', device_type: 'mobile' as const },
  { browser: 'Chrome', browser_version: '131', os: 'Windows', device_type: 'desktop' as const },
  { browser: 'Edge', browser_version: '131', os: 'Windows', device_type: 'desktop' as const },
  { browser: 'Safari', browser_version: '18', os: 'macOS', device_type: 'desktop' as const },
  { browser: 'Firefox', browser_version: '133', os: 'Linux', device_type: 'desktop' as const },
  { browser: 'Safari', browser_version: '18', os: 'iPadOS', device_type: 'tablet' as const },
  { browser: 'Samsung Internet', browser_version: '27', os: 'Android', device_type: 'mobile' as const },
];
const COUNTRIES = (
  'US DE GB FR IN BR CA JP ES IT NL AU MX PL SE TR KR ID AR BE CH AT NO DK FI IE PT CZ RO HU ' +
  'GR IL ZA NG EG SA AE SG NZ CL'
).split(' ');
const TYPES = [
  'page_view',
  'page_view',
  'page_view',
  'click',
  'search',
  'add_to_cart',
  'checkout_started',
] as const;
const VISITORS = 400_000;

export function* seededTraffic(t: SeededTraffic, chunk: number): Generator<EnrichedEvent[]> {
  const random = seededRandom(t.seed);
  // Skewed picks: a few values take most of the traffic, a long tail the rest, as campaigns,
  // pages and countries do.
  const skewed = (n: number) => Math.floor(random() ** 2.5 * n);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const span = t.toMs - t.fromMs;
  for (let start = 0; start < t.events; start += chunk) {
    const out: EnrichedEvent[] = [];
    for (let i = start; i < Math.min(t.events, start + chunk); i++) {
      const ts = t.fromMs + Math.floor((i / t.events) * span);
      const { referrer, ...visit } = pick(VISITS);
      const campaign =
        visit.medium === 'cpc' || visit.medium === 'email' || random() < 0.1 ? `c-${skewed(300)}` : null;
      const visitor = skewed(VISITORS);
      const anonymous = visitor % 5 === 0;
      const purchase = random() < 0.04;
      const type = purchase ? 'purchase' : pick(TYPES);
      const path = type === 'page_view' || random() < 0.5 ? `/p/${skewed(2000)}` : '/checkout';
      const plan = random();
      out.push(
        enrichedEvent({
          event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          project: t.project,
          type,
          user_id: anonymous ? null : `u${visitor}`,
          anonymous_id: anonymous ? `a${visitor}` : null,
          session_id: `s${visitor}-${Math.floor(ts / 3_600_000)}`,
          is_bot: random() < 0.02,
          timestamp: new Date(ts).toISOString(),
          received_at: new Date(ts).toISOString(),
          page: { path, url: `https://shop.example${path}`, ...(referrer ? { referrer } : {}) },
          order: purchase
            ? {
                id: `o${i}`,
                revenue: Math.round(random() * 20_000) / 100,
                currency: random() < 0.8 ? 'EUR' : 'USD',
              }
            : null,
          user_agent: AGENTS[skewed(AGENTS.length)]!,
          geo:
            random() < 0.05
              ? null
              : { country: COUNTRIES[skewed(COUNTRIES.length)]!, region: null, city: null },
          attribution: { ...visit, campaign, term: null, content: null, click_ids: {} },
          properties: plan < 0.3 ? null : { plan: plan < 0.7 ? 'free' : plan < 0.95 ? 'pro' : 'enterprise' },
        }),
      );
    }
    yield out;
  }
}
