import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enrichEvent, eventKey } from '../../../core/enrichment/enrich-event.ts';
import { anonymiseIp } from '../../../core/enrichment/ip-anonymisation.ts';
import { requestFacts, validEvent } from './arbitraries.ts';

const DAY_MS = 24 * 3_600_000;

describe('enrichment (property-based)', () => {
  it('keeps identity and payload, and gives a plausible UTC timestamp for every valid event', () => {
    fc.assert(
      fc.property(validEvent, requestFacts, (event, facts) => {
        const enriched = enrichEvent(event, facts);
        expect(enriched.event_id).toBe(event.event_id.toLowerCase());
        expect(enriched.type).toBe(event.type);
        expect(enriched.project).toBe(facts.project);
        expect(enriched.user_id).toBe(event.user_id ?? null);
        expect(enriched.anonymous_id).toBe(event.anonymous_id ?? null);
        expect(enriched.order).toEqual(event.order ?? null);
        expect(enriched.properties).toEqual(event.properties ?? null);
        expect(enriched.received_at).toBe(new Date(facts.receivedAtMs).toISOString());
        const ts = Date.parse(enriched.timestamp);
        expect(enriched.timestamp).toBe(new Date(ts).toISOString());
        expect(ts).toBeGreaterThanOrEqual(Date.UTC(2000, 0, 1));
        expect(ts).toBeLessThanOrEqual(facts.receivedAtMs + DAY_MS);
        if (enriched.timestamp_flag !== null) expect(enriched.timestamp).toBe(enriched.received_at);
        expect(eventKey(enriched)).toBe(event.user_id ?? event.anonymous_id);
        // What goes on the stream survives a JSON round trip unchanged.
        expect(JSON.parse(JSON.stringify(enriched))).toEqual(enriched);
      }),
      { numRuns: 1000 },
    );
  });

  it('removes clock skew: the same event sent from a clock off by any amount lands at the same time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2021, 0, 1), max: Date.UTC(2039, 0, 1) }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.integer({ min: -10 * DAY_MS, max: 10 * DAY_MS }),
        validEvent,
        requestFacts,
        (receivedAtMs, ageMs, skewMs, event, facts) => {
          const trueMs = receivedAtMs - ageMs;
          const onDevice = (ms: number) => new Date(ms + skewMs).toISOString();
          const skewed = { ...event, timestamp: onDevice(trueMs), sent_at: onDevice(receivedAtMs) };
          const enriched = enrichEvent(skewed, { ...facts, receivedAtMs });
          expect(enriched.timestamp).toBe(new Date(trueMs).toISOString());
          expect(enriched.timestamp_flag).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never keeps a raw address: IPv4 ends in .0, IPv6 is cut to /48, anything else is dropped', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.string({ maxLength: 64 })), (ip) => {
        const kept = anonymiseIp(ip);
        if (kept === null) return;
        if (isIPv4(kept)) expect(kept.endsWith('.0')).toBe(true);
        else expect(kept).toMatch(/^[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::$/);
      }),
      { numRuns: 2000 },
    );
  });
});
