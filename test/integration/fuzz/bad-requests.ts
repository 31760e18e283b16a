import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { checkIncomingEvent } from '../../../core/events/event-validation.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { validEvent, wrongTypeValue } from '../../unit/fuzz/arbitraries.ts';

/** One generated request that the ingest API must refuse. */
export interface BadRequest {
  readonly kind: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer;
}

const EVENT_FIELDS = [
  'event_id',
  'type',
  'user_id',
  'session_id',
  'timestamp',
  'page',
  'product',
  'order',
  'context',
];
const SEGMENT_PATHS = [
  '/v1/track',
  '/v1/page',
  '/v1/identify',
  '/v1/batch',
  '/v1/screen',
  '/v1/group',
  '/v1/alias',
];

const json = (writeKey: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  authorization: `Bearer ${writeKey}`,
  ...extra,
});

/** A valid event made invalid in one field: a wrong type, or a value out of its range. */
const brokenEvent = fc
  .tuple(validEvent, fc.constantFrom(...EVENT_FIELDS), wrongTypeValue)
  // Judged as the server will see it: after a JSON round trip (undefined values vanish).
  .map(
    ([event, field, bad]) =>
      JSON.parse(JSON.stringify({ ...event, [field]: bad })) as Record<string, unknown>,
  )
  // A random object can be a valid page or context by chance ({} or {"url": "x"}): not a bad request.
  .filter((event) => !checkIncomingEvent(event, 0, INGEST_LIMITS).ok);

const outOfRange = validEvent.chain((event) =>
  fc.constantFrom<Record<string, unknown>>(
    { ...event, event_id: 'not-a-uuid' },
    { ...event, type: 'Page View' },
    { ...event, type: `x_${'a'.repeat(65)}` },
    { ...event, user_id: undefined, anonymous_id: undefined },
    { ...event, timestamp: '2024-13-45T99:99:99Z' },
    { ...event, order: { id: 'o', revenue: -1, currency: 'EUR' } },
    { ...event, order: { id: 'o', revenue: 1e12, currency: 'EUR' } },
    { ...event, product: { id: 'p', currency: 'euro' } },
    { ...event, user_id: 'u'.repeat(257) },
    { ...event, surprise: true },
  ),
);

function nested(depth: number): string {
  return `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
}

/**
 * Every kind of bad request in proportion, from a seed: the same seed gives the same requests.
 * Each kind says what it tries: truncation, size, nesting, types, encoding, headers, bombs.
 */
export function badRequests(writeKey: string, seed: number, count: number): BadRequest[] {
  const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt: number) =>
    fc.sample(arb, { seed: seed + salt, numRuns: n });
  const out: BadRequest[] = [];
  const share = (fraction: number) => Math.max(1, Math.floor(count * fraction));

  for (const event of sample(brokenEvent, share(0.25), 1)) {
    out.push({
      kind: 'wrong type',
      path: '/v1/events',
      headers: json(writeKey),
      body: JSON.stringify([event]),
    });
  }
  for (const event of sample(outOfRange, share(0.1), 2)) {
    out.push({
      kind: 'out of range',
      path: '/v1/events',
      headers: json(writeKey),
      body: JSON.stringify(event),
    });
  }
  for (const [event, cut] of sample(
    fc.tuple(validEvent, fc.double({ min: 0.05, max: 0.95, noNaN: true })),
    share(0.15),
    3,
  )) {
    const text = JSON.stringify([event, event]);
    out.push({
      kind: 'truncated',
      path: '/v1/events',
      headers: json(writeKey),
      body: text.slice(0, Math.floor(text.length * cut)),
    });
  }
  for (const value of sample(
    fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant([])),
    share(0.05),
    4,
  )) {
    out.push({
      kind: 'not an event',
      path: '/v1/events',
      headers: json(writeKey),
      body: JSON.stringify(value),
    });
  }
  for (const depth of sample(fc.integer({ min: 10, max: 20_000 }), share(0.03), 5)) {
    out.push({ kind: 'deeply nested', path: '/v1/events', headers: json(writeKey), body: nested(depth) });
  }
  for (const [depth, event] of sample(
    fc.tuple(fc.integer({ min: 10, max: 5000 }), validEvent),
    share(0.03),
    6,
  )) {
    const body = JSON.stringify({ ...event, properties: { x: 0 } }).replace('{"x":0}', nested(depth));
    out.push({ kind: 'deep properties', path: '/v1/events', headers: json(writeKey), body });
  }
  for (const [prefix, tail] of sample(
    fc.tuple(
      fc.string({ maxLength: 30 }),
      fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0xaf]),
    ),
    share(0.08),
    7,
  )) {
    const body = Buffer.concat([
      Buffer.from(`{"event_id":"${randomUUID()}","type":"page_view","user_id":"`),
      Buffer.from(prefix.replace(/["\\]/g, '')),
      Buffer.from(tail),
      Buffer.from('"}'),
    ]);
    out.push({ kind: 'invalid UTF-8', path: '/v1/events', headers: json(writeKey), body });
  }
  for (const [size, byte] of sample(
    fc.tuple(fc.integer({ min: 2, max: 64 }), fc.constantFrom(0x20, 0x7b, 0x5b)),
    share(0.002),
    8,
  )) {
    const body = gzipSync(Buffer.alloc(size * 1024 * 1024, byte), { level: 9 });
    out.push({
      kind: 'gzip bomb',
      path: '/v1/events',
      headers: json(writeKey, { 'content-encoding': 'gzip' }),
      body,
    });
  }
  for (const bytes of sample(fc.uint8Array({ minLength: 1, maxLength: 200 }), share(0.03), 9)) {
    out.push({
      kind: 'not gzip',
      path: '/v1/events',
      headers: json(writeKey, { 'content-encoding': 'gzip' }),
      body: Buffer.from(bytes),
    });
  }
  for (const mb of sample(fc.integer({ min: 2, max: 6 }), share(0.002), 10)) {
    out.push({
      kind: 'oversized',
      path: '/v1/events',
      headers: json(writeKey),
      body: `[${'"x",'.repeat((mb * 1024 * 1024) / 4)}"x"]`,
    });
  }
  for (const n of sample(fc.integer({ min: 1001, max: 3000 }), share(0.003), 11)) {
    out.push({
      kind: 'too many events',
      path: '/v1/events',
      headers: json(writeKey),
      body: JSON.stringify(Array.from({ length: n }, () => ({}))),
    });
  }
  for (const kb of sample(fc.integer({ min: 17, max: 200 }), share(0.005), 12)) {
    out.push({
      kind: 'huge headers',
      path: '/v1/events',
      headers: json(writeKey, { 'x-padding': 'p'.repeat(kb * 1024) }),
      body: '{}',
    });
  }
  for (const type of sample(
    fc.oneof(
      fc.constantFrom(
        'text/html',
        'application/xml',
        'application/json; charset=latin1',
        'multipart/form-data',
      ),
      fc.stringMatching(/^[a-z]{1,10}\/[a-z]{1,10}$/),
    ),
    share(0.04),
    13,
  )) {
    out.push({
      kind: 'content type',
      path: '/v1/events',
      headers: { ...json(writeKey), 'content-type': type },
      body: '{}',
    });
  }
  for (const key of sample(
    fc.oneof(fc.constant(''), fc.stringMatching(/^wk_[a-z0-9_]{1,40}$/), fc.string({ maxLength: 60 })),
    share(0.06),
    14,
  )) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key.trim() !== '' && /^[\x21-\x7e]+$/.test(key)) headers.authorization = `Bearer ${key}`;
    out.push({
      kind: 'bad write key',
      path: '/v1/events',
      headers,
      body: JSON.stringify({ event_id: randomUUID(), type: 'page_view', user_id: 'u' }),
    });
  }
  const segment = fc.record(
    {
      type: fc.oneof(fc.constantFrom('track', 'page', 'identify'), fc.string({ maxLength: 8 })),
      messageId: fc.oneof(fc.constant(''), fc.integer(), fc.string({ minLength: 257, maxLength: 300 })),
      userId: fc.oneof(fc.constant(null), fc.constant(''), fc.boolean(), fc.object({ maxDepth: 1 })),
      event: fc.oneof(fc.constant(''), fc.integer()),
      timestamp: fc.oneof(fc.constant('yesterday'), fc.integer()),
      properties: fc.oneof(fc.constant([]), fc.string()),
    },
    { requiredKeys: ['messageId'] },
  );
  for (const [path, message] of sample(
    fc.tuple(fc.constantFrom(...SEGMENT_PATHS), segment),
    share(0.1),
    15,
  )) {
    const body = path === '/v1/batch' ? { batch: [message, message] } : message;
    out.push({ kind: 'segment', path, headers: json(writeKey), body: JSON.stringify(body) });
  }
  const tweet = fc.record(
    {
      id: fc.oneof(fc.constant(''), fc.string({ minLength: 65, maxLength: 80 }), fc.constant('a b')),
      text: fc.oneof(fc.constant(''), fc.integer()),
      user: fc.oneof(fc.constant(null), fc.record({ id: fc.constant('') })),
      created_at: fc.constant('not a date'),
    },
    { requiredKeys: ['id'] },
  );
  for (const t of sample(tweet, share(0.04), 16)) {
    out.push({ kind: 'tweet', path: '/v1/tweets', headers: json(writeKey), body: JSON.stringify([t]) });
  }
  for (const path of sample(
    fc
      .stringMatching(/^\/v[0-9]\/[a-z]{1,8}$/)
      .filter((p) => !['/v1/events', '/v1/tweets', ...SEGMENT_PATHS, '/v1/batch', '/v1/import'].includes(p)),
    share(0.01),
    17,
  )) {
    out.push({ kind: 'unknown route', path, headers: json(writeKey), body: '{}' });
  }
  // Top up with the cheapest kind so every run sends at least `count` requests.
  const missing = count - out.length;
  if (missing > 0) {
    for (const event of sample(brokenEvent, missing, 18)) {
      out.push({
        kind: 'wrong type',
        path: '/v1/events',
        headers: json(writeKey),
        body: JSON.stringify(event),
      });
    }
  }
  const order = sample(fc.integer(), out.length, 19);
  return out
    .map((r, i) => ({ r, k: order[i] ?? 0 }))
    .sort((a, b) => a.k - b.k)
    .map(({ r }) => r);
}
