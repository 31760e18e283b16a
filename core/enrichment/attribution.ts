import type { Attribution } from '../events/enriched-event.ts';

const CLICK_ID_PARAMS = [
  'gclid',
  'gbraid',
  'wbraid',
  'dclid',
  'fbclid',
  'msclkid',
  'ttclid',
  'twclid',
  'li_fat_id',
];

const SEARCH_ENGINES: Record<string, string> = {
  google: 'google',
  bing: 'bing',
  yahoo: 'yahoo',
  duckduckgo: 'duckduckgo',
  baidu: 'baidu',
  yandex: 'yandex',
  ecosia: 'ecosia',
};
const SOCIAL_NETWORKS: Record<string, string> = {
  facebook: 'facebook',
  fb: 'facebook',
  instagram: 'instagram',
  't.co': 'twitter',
  twitter: 'twitter',
  x: 'twitter',
  linkedin: 'linkedin',
  lnkd: 'linkedin',
  reddit: 'reddit',
  pinterest: 'pinterest',
  tiktok: 'tiktok',
  youtube: 'youtube',
};
const EMAIL_HOSTS = ['mail.google', 'outlook.live', 'mail.yahoo'];

/**
 * Where a visit came from. UTM parameters on the landing URL win (the marketer said so);
 * otherwise the referrer's host is classified; no referrer, or one from the same site, is direct.
 */
export function attributeVisit(pageUrl: string | undefined, referrer: string | undefined): Attribution {
  if (pageUrl === undefined && referrer === undefined) return DIRECT;
  // Landing URLs and referrers repeat (popular pages, the same campaign links); parsing two
  // URLs per event is one of the dearer steps of ingest, so answers are remembered.
  const cacheKey = `${pageUrl ?? ''}\n${referrer ?? ''}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const attribution = attribute(pageUrl, referrer);
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(cacheKey, attribution);
  return attribution;
}

const CACHE_SIZE = 10_000;
const cache = new Map<string, Attribution>();
const DIRECT: Attribution = Object.freeze({
  source: '(direct)',
  medium: '(none)',
  campaign: null,
  term: null,
  content: null,
  click_ids: Object.freeze({}),
});

function attribute(pageUrl: string | undefined, referrer: string | undefined): Attribution {
  const page = parseUrl(pageUrl);
  const params = page?.searchParams;
  const clickIds: Record<string, string> = {};
  for (const name of CLICK_ID_PARAMS) {
    const value = params?.get(name);
    if (value) clickIds[name] = value.slice(0, 256);
  }
  const utm = (name: string) => params?.get(`utm_${name}`)?.slice(0, 256) || null;
  const campaign = utm('campaign');
  const term = utm('term');
  const content = utm('content');
  const utmSource = utm('source');
  const utmMedium = utm('medium');
  if (utmSource || utmMedium) {
    return {
      source: utmSource ?? '(not set)',
      medium: utmMedium ?? '(not set)',
      campaign,
      term,
      content,
      click_ids: clickIds,
    };
  }
  const paid = clickIds.gclid || clickIds.gbraid || clickIds.wbraid || clickIds.msclkid || clickIds.dclid;
  const ref = parseUrl(referrer);
  const refHost = ref?.hostname.replace(/^www\./, '') ?? null;
  const sameSite = refHost !== null && page !== null && refHost === page.hostname.replace(/^www\./, '');
  const { source, medium } =
    refHost === null || sameSite ? { source: '(direct)', medium: '(none)' } : classifyHost(refHost);
  if (paid) {
    const paidSource = clickIds.msclkid ? 'bing' : 'google';
    return { source: paidSource, medium: 'cpc', campaign, term, content, click_ids: clickIds };
  }
  return { source, medium, campaign, term, content, click_ids: clickIds };
}

function classifyHost(host: string): { source: string; medium: string } {
  const labels = host.split('.');
  for (const label of labels) {
    const engine = SEARCH_ENGINES[label];
    if (engine) return { source: engine, medium: 'organic' };
  }
  const social = SOCIAL_NETWORKS[host] ?? labels.map((l) => SOCIAL_NETWORKS[l]).find((s) => s !== undefined);
  if (social) return { source: social, medium: 'social' };
  if (EMAIL_HOSTS.some((h) => host.startsWith(h))) return { source: host, medium: 'email' };
  return { source: host, medium: 'referral' };
}

function parseUrl(value: string | undefined): URL | null {
  if (!value) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
