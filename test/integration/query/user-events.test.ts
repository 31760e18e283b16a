import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, each asserted.
type Answer = Record<string, any>;
const DAY_MS = 86_400_000;
// The query function's clock. Days are whole UTC days counted back from it, because the warm
// tier's retention follows the real clock: 3 days back is the warm tier's on any date, 40 days
// back only the archive's. Expectations come from the events sent.
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY_MS) * DAY_MS;
const WARM_DAY = TODAY - 3 * DAY_MS;
const COLD_DAY = TODAY - 40 * DAY_MS;

let api: QueryApiStack;

const at = (ms: number) => new Date(ms).toISOString();
const event = (
  dayMs: number,
  minute: number,
  who: { user_id?: string | null; anonymous_id?: string | null },
  project = PROJECT,
) =>
  enrichedEvent({
    project,
    user_id: who.user_id ?? null,
    anonymous_id: who.anonymous_id ?? null,
    timestamp: at(dayMs + minute * 60_000),
    page: { path: `/p${minute}`, url: `https://shop.example/p${minute}` },
    properties: { minute },
  });

const alice = { user_id: 'alice', anonymous_id: 'anon-a' };
const anonymous = { anonymous_id: 'anon-7' };
const events: EnrichedEvent[] = [
  ...[1, 2, 3, 4, 5].map((m) => event(COLD_DAY, m, alice)),
  ...[10, 11].map((m) => event(COLD_DAY, m, anonymous)),
  ...[1, 2, 3, 4, 5].map((m) => event(WARM_DAY, m, alice)),
  ...[10, 11].map((m) => event(WARM_DAY, m, anonymous)),
  // Another person, and alice in another project: never listed.
  event(WARM_DAY, 20, { user_id: 'bob' }),
  event(WARM_DAY, 21, alice, 'other'),
  event(COLD_DAY, 21, alice, 'other'),
];

beforeAll(async () => {
  api = await startQueryApiStack('user-events', { now: () => NOW });
  // Every event reaches both sinks, as from events.raw; a client then sends half of them again
  // at new offsets: each is listed once all the same.
  await api.deliver(events);
  await api.deliver(events.filter((_, i) => i % 2 === 0));
}, 120_000);

afterAll(() => api?.close());

async function get(path: string) {
  const response = await api.fetch(path);
  return { status: response.status, body: (await response.json()) as Answer };
}

/** A person's events as the API should list them: newest first, each once, with its tier. */
function expected(who: (e: EnrichedEvent) => boolean) {
  return events
    .filter((e) => e.project === PROJECT && who(e))
    .sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp))
    .map((e) => ({
      id: e.event_id,
      type: e.type,
      at: e.timestamp,
      tier: Date.parse(e.timestamp) >= WARM_DAY ? 'warm' : 'cold',
      page: e.page!.path,
      properties: e.properties,
    }));
}

describe("support's view of a person's events", () => {
  it('lists a user’s events across tiers, newest first, each once, with the tier it came from', async () => {
    const answer = await get('/v1/users/alice/events?limit=100');
    expect(answer.status).toBe(200);
    expect(answer.body.events).toEqual(expected((e) => e.user_id === 'alice'));
    expect(answer.body).toMatchObject({
      id: 'alice',
      tiers: ['warm', 'cold'],
      degraded: [],
      next_before: null,
    });
  });

  it('finds an anonymous visitor by the anonymous id', async () => {
    const answer = await get('/v1/users/anon-7/events');
    expect(answer.body.events).toEqual(expected((e) => e.anonymous_id === 'anon-7' && e.user_id === null));
    expect(answer.body.events).toHaveLength(4);
  });

  it('pages on with before, from the warm tier into the archive', async () => {
    const all = expected((e) => e.user_id === 'alice');
    const first = await get('/v1/users/alice/events?limit=4');
    expect(first.body.events).toEqual(all.slice(0, 4));
    expect(first.body.tiers).toEqual(['warm']);
    expect(first.body.next_before).toBe(all[3]!.at);
    const second = await get(`/v1/users/alice/events?limit=4&before=${first.body.next_before}`);
    expect(second.body.events).toEqual(all.slice(4, 8));
    expect(second.body.tiers).toEqual(['warm', 'cold']);
    const rest = await get(`/v1/users/alice/events?limit=4&before=${second.body.next_before}`);
    expect(rest.body.events).toEqual(all.slice(8));
    expect(rest.body.next_before).toBeNull();
  });

  it('answers 400 for a bad id, limit or before, naming the field and the rule', async () => {
    for (const [query, field, rule] of [
      ['limit=0', 'limit', 'range'],
      ['limit=501', 'limit', 'range'],
      ['limit=ten', 'limit', 'range'],
      ['before=yesterday', 'before', 'format'],
    ] as const) {
      const answer = await get(`/v1/users/alice/events?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body).toMatchObject({ field, rule });
    }
    const long = await get(`/v1/users/${'x'.repeat(257)}/events`);
    expect(long).toMatchObject({ status: 400, body: { field: 'id', rule: 'pattern' } });
    const control = await get('/v1/users/a%01b/events');
    expect(control).toMatchObject({ status: 400, body: { field: 'id' } });
    expect((await get('/v1/users/nobody/events')).body.events).toEqual([]);
  });
});
