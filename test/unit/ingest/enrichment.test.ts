import { describe, expect, it } from 'vitest';
import { attributeVisit } from '../../../core/enrichment/attribution.ts';
import { enrichEvent, eventKey } from '../../../core/enrichment/enrich-event.ts';
import { geoFromMaxMind } from '../../../core/enrichment/geo.ts';
import { anonymiseIp } from '../../../core/enrichment/ip-anonymisation.ts';
import { readUserAgent } from '../../../core/enrichment/user-agent.ts';
import { CHROME_UA, GOOGLEBOT_UA, IPHONE_UA, makeEvent } from './factories.ts';

describe('readUserAgent', () => {
  it('reads browser, OS and device type', () => {
    expect(readUserAgent(CHROME_UA)).toEqual({
      userAgent: { browser: 'Chrome', browser_version: '124.0.0.0', os: 'Windows', device_type: 'desktop' },
      isBot: false,
    });
    expect(readUserAgent(IPHONE_UA).userAgent).toMatchObject({
      browser: 'Safari',
      os: 'iOS',
      device_type: 'mobile',
    });
  });

  it('flags bots', () => {
    expect(readUserAgent(GOOGLEBOT_UA)).toMatchObject({ isBot: true, userAgent: { device_type: 'bot' } });
    expect(readUserAgent('curl/8.5.0').isBot).toBe(true);
  });

  it('copes with no user agent', () => {
    expect(readUserAgent(undefined)).toMatchObject({ isBot: false, userAgent: { device_type: 'unknown' } });
  });
});

describe('attributeVisit', () => {
  it('takes UTM parameters from the page URL', () => {
    const a = attributeVisit(
      'https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_term=mugs&utm_content=top',
      'https://mail.google.com/',
    );
    expect(a).toEqual({
      source: 'newsletter',
      medium: 'email',
      campaign: 'spring',
      term: 'mugs',
      content: 'top',
      click_ids: {},
    });
  });

  it('classifies search, social, referral and direct', () => {
    expect(attributeVisit('https://shop.example/', 'https://www.google.com/search?q=x')).toMatchObject({
      source: 'google',
      medium: 'organic',
    });
    expect(attributeVisit('https://shop.example/', 'https://t.co/abc')).toMatchObject({
      source: 'twitter',
      medium: 'social',
    });
    expect(attributeVisit('https://shop.example/', 'https://blog.example.org/post')).toMatchObject({
      source: 'blog.example.org',
      medium: 'referral',
    });
    expect(attributeVisit('https://shop.example/', undefined)).toMatchObject({
      source: '(direct)',
      medium: '(none)',
    });
    expect(attributeVisit('https://shop.example/a', 'https://shop.example/b')).toMatchObject({
      source: '(direct)',
    });
  });

  it('collects click ids and treats a gclid as paid search', () => {
    const a = attributeVisit('https://shop.example/?gclid=abc123&fbclid=f1', 'https://www.google.com/');
    expect(a.click_ids).toEqual({ gclid: 'abc123', fbclid: 'f1' });
    expect(a).toMatchObject({ source: 'google', medium: 'cpc' });
  });
});

describe('anonymiseIp', () => {
  it('zeroes the last IPv4 octet', () => {
    expect(anonymiseIp('203.0.113.77')).toBe('203.0.113.0');
  });

  it('cuts IPv6 to /48', () => {
    expect(anonymiseIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(anonymiseIp('2001:db8::1')).toBe('2001:db8:0::');
    expect(anonymiseIp('::ffff:198.51.100.23')).toBe('198.51.100.0');
  });

  it('drops what is not an address', () => {
    expect(anonymiseIp('not-an-ip')).toBeNull();
    expect(anonymiseIp(undefined)).toBeNull();
  });
});

describe('enrichEvent', () => {
  const facts = {
    receivedAtMs: Date.parse('2024-05-01T12:00:05.000Z'),
    sourceIp: '203.0.113.77',
    userAgent: IPHONE_UA,
    project: 'shop',
    source: 'spate' as const,
  };

  it('adds received_at, device, attribution and an anonymised IP, never the raw one', () => {
    const enriched = enrichEvent(makeEvent({ sent_at: '2024-05-01T12:00:01.000Z' }), facts);
    expect(enriched).toMatchObject({
      project: 'shop',
      received_at: '2024-05-01T12:00:05.000Z',
      timestamp: '2024-05-01T12:00:04.000Z',
      ip: '203.0.113.0',
      is_bot: false,
      user_agent: { os: 'iOS', device_type: 'mobile' },
      attribution: { source: 'newsletter', medium: 'email' },
    });
    expect(JSON.stringify(enriched)).not.toContain('203.0.113.77');
  });

  it('prefers the relayed client context over the request', () => {
    const enriched = enrichEvent(
      makeEvent({ context: { ip: '198.51.100.9', user_agent: GOOGLEBOT_UA } }),
      facts,
    );
    expect(enriched.ip).toBe('198.51.100.0');
    expect(enriched.is_bot).toBe(true);
  });

  it('asks the geo lookup with the raw address but stores only its answer', () => {
    const seen: string[] = [];
    const enriched = enrichEvent(makeEvent(), {
      ...facts,
      geo: (ip) => {
        seen.push(ip);
        return { country: 'NL', region: null, city: null };
      },
    });
    expect(seen).toEqual(['203.0.113.77']);
    expect(enriched.geo).toEqual({ country: 'NL', region: null, city: null });
  });

  it('keys by user id, else anonymous id', () => {
    expect(eventKey({ user_id: 'u', anonymous_id: 'a' })).toBe('u');
    expect(eventKey({ user_id: null, anonymous_id: 'a' })).toBe('a');
  });
});

describe('geoFromMaxMind', () => {
  it('keeps country, first subdivision and English city name', () => {
    expect(
      geoFromMaxMind({
        country: { iso_code: 'NL' },
        subdivisions: [{ iso_code: 'NH' }],
        city: { names: { en: 'Amsterdam' } },
      }),
    ).toEqual({ country: 'NL', region: 'NH', city: 'Amsterdam' });
    expect(geoFromMaxMind({ country: { iso_code: 'FR' } })).toEqual({
      country: 'FR',
      region: null,
      city: null,
    });
  });

  it('returns null for an address the database does not know', () => {
    expect(geoFromMaxMind(null)).toBeNull();
    expect(geoFromMaxMind({})).toBeNull();
  });
});
