import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import type { EventType } from '../../../core/events/event-types.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { createFunnelsFunction } from '../../../lambdas/funnels/handler.ts';
import type { AggregatorFunction } from '../../../lambdas/hot-aggregator.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { freePort } from '../../support/free-ports.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, each asserted.
type Answer = Record<string, any>;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
// The query function runs on this clock, which the test moves. It starts a little in the past,
// so the funnel's live events (after its creation) are never in the future of the hot tier's
// clock (the aggregator's real one); the warm day is three whole UTC days back, inside the warm
// tier's retention, which follows the real clock. Expectations come from the events only.
const START = Date.now() - 30 * MINUTE_MS;
const WARM_DAY = Math.floor(START / DAY_MS) * DAY_MS - 3 * DAY_MS;
let clock = START;

let api: QueryApiStack;
let funnels: AggregatorFunction;
let offset = 0;

beforeAll(async () => {
  api = await startQueryApiStack('funnels', { now: () => clock });
  funnels = createFunnelsFunction({
    redis: { url: api.redis.url },
    breaker: { failureThreshold: 3, openMs: 1000 },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    funnels: parseFunnelCatalog(undefined),
    clickhouse: { url: api.archive.endpoint.url, username: 'default', password: '', database: 'default' },
    // Read again before every batch: an edit counts from the next batch on.
    projectFunnelsTtlMs: 0,
  });
}, 120_000);

afterAll(async () => {
  await funnels?.close();
  await api?.close();
});

async function call(method: string, path: string, body?: unknown, raw?: string) {
  const response = await api.fetch(path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined || raw !== undefined ? { body: raw ?? JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Answer };
}

/** Sends events through the funnels function, as the mapping delivers events.raw. */
async function aggregate(events: readonly EnrichedEvent[]) {
  await funnels.handler(
    mskEventOf(events, { partition: 0, firstOffset: offset }),
    createLambdaContext('funnels'),
  );
  offset += events.length;
}

const at = (ms: number) => new Date(ms).toISOString();
const step = (
  visitor: string,
  type: EventType,
  ms: number,
  properties: Record<string, unknown> | null = null,
) => enrichedEvent({ project: PROJECT, user_id: visitor, type, timestamp: at(ms), properties });

describe('funnels defined at run time', () => {
  let id: string;

  it('are created through the API, listed beside the default, and count from their creation on', async () => {
    const created = await call('POST', '/v1/funnels', {
      name: 'Pro plan',
      steps: ['page_view', { type: 'add_to_cart' }, { type: 'purchase', properties: { plan: 'pro' } }],
    });
    expect(created.status).toBe(201);
    id = created.body.id;
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(created.body.steps.map((s: { label: string }) => s.label)).toEqual([
      'page_view',
      'add_to_cart',
      'purchase[plan=pro]',
    ]);
    const listed = await call('GET', '/v1/funnels');
    expect(listed.body.funnels.map((f: { id: string }) => f.id)).toEqual(['default', id]);

    const t = START + 1000;
    await aggregate([
      // Before the funnel existed: the hot tier leaves it to history.
      step('early', 'page_view', START - 5000),
      step('early', 'add_to_cart', t + 1),
      // All three steps; a free plan's purchase stops at the second; one visitor only looks.
      step('v1', 'page_view', t + 10),
      step('v1', 'add_to_cart', t + 20),
      step('v1', 'purchase', t + 30, { plan: 'pro' }),
      step('v2', 'page_view', t + 40),
      step('v2', 'add_to_cart', t + 50),
      step('v2', 'purchase', t + 60, { plan: 'free' }),
      step('v3', 'page_view', t + 70),
      // Out of order: a cart before any page view takes no step.
      step('v4', 'add_to_cart', t + 80),
      { ...step('bot', 'page_view', t + 90), is_bot: true },
    ]);
    clock = START + 5 * MINUTE_MS;
    const answer = await call('GET', `/v1/funnels/${id}?window=30m`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, name: 'Pro plan', tiers: ['hot'] });
    expect(answer.body.steps.map((s: { users: number }) => s.users)).toEqual([3, 2, 1]);
    // The deploy-time funnel counts the same events, in its own keys, the early one included.
    const fallback = await call('GET', '/v1/funnels/default?window=30m');
    expect(fallback.body.steps[0].users).toBe(4);
  });

  it('are edited: the new steps count from the edit on, apart from the old ones', async () => {
    const edited = await call('PUT', `/v1/funnels/${id}`, {
      name: 'Straight to purchase',
      steps: ['page_view', 'purchase'],
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id, name: 'Straight to purchase' });
    const t = clock + 1000;
    await aggregate([
      step('v5', 'page_view', t),
      step('v5', 'purchase', t + 10),
      step('v6', 'page_view', t + 20),
    ]);
    clock = t + MINUTE_MS;
    const answer = await call('GET', `/v1/funnels/${id}?window=30m`);
    expect(answer.body.name).toBe('Straight to purchase');
    expect(answer.body.steps.map((s: { label: string; users: number }) => [s.label, s.users])).toEqual([
      ['page_view', 2],
      ['purchase', 1],
    ]);
  });

  it('refuse bad definitions with a 400 naming the field and the rule', async () => {
    const cases: Array<[unknown, string, string]> = [
      [{ steps: ['page_view', 'purchase'] }, 'name', 'required'],
      [{ name: 'x', steps: ['page_view'] }, 'steps', 'minItems'],
      [{ name: 'x', steps: Array(11).fill('page_view') }, 'steps', 'maxItems'],
      [{ name: 'x', steps: ['page_view', { type: 'Bought it' }] }, 'steps[1].type', 'pattern'],
      [{ name: 'x', steps: ['page_view', 'purchase+coupon'] }, 'steps[1]', 'pattern'],
      [
        { name: 'x', steps: ['page_view', { type: 'purchase', properties: { plan: 1 } }] },
        'steps[1].properties.plan',
        'type',
      ],
    ];
    for (const [body, field, rule] of cases) {
      const answer = await call('POST', '/v1/funnels', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({ field, rule });
      expect(answer.body.message).toContain(field);
    }
    const notJson = await call('POST', '/v1/funnels', undefined, '{"name": ');
    expect(notJson).toMatchObject({ status: 400, body: { field: 'body', rule: 'format' } });
    const edit = await call('PUT', `/v1/funnels/${id}`, { name: 'x', steps: ['page_view'] });
    expect(edit).toMatchObject({ status: 400, body: { field: 'steps' } });
    expect(
      (await call('PUT', '/v1/funnels/default', { name: 'x', steps: ['page_view', 'purchase'] })).body,
    ).toMatchObject({
      field: 'id',
      rule: 'readOnly',
    });
    for (const unknown of ['nosuch', 'f000000000000'])
      expect(
        (await call('PUT', `/v1/funnels/${unknown}`, { name: 'x', steps: ['page_view', 'purchase'] })).status,
      ).toBe(404);
    expect((await call('PATCH', '/v1/funnels')).status).toBeGreaterThanOrEqual(400);
    const anonymous = await fetch(`${api.gateway.httpUrl}/v1/funnels`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
  });

  it('answer over history from the warm tier, matching the events seeded there', async () => {
    const random = seededRandom(21);
    const events: EnrichedEvent[] = [];
    for (let v = 0; v < 80; v++) {
      let ms = WARM_DAY + v * 17 * MINUTE_MS;
      for (let n = 0; n < 6; n++) {
        ms += Math.floor(random() * 20 * MINUTE_MS) + 1;
        const r = random();
        const type: EventType = r < 0.45 ? 'page_view' : r < 0.75 ? 'add_to_cart' : 'purchase';
        const event = step(
          `h${v}`,
          type,
          ms,
          type === 'purchase' ? { plan: random() < 0.5 ? 'pro' : 'free' } : null,
        );
        // Some steps are taken on a phone, for the filtered answer.
        const device_type = random() < 0.6 ? ('mobile' as const) : ('desktop' as const);
        events.push({ ...event, user_agent: { ...event.user_agent, device_type } });
      }
    }
    await api.deliver(events, { warmOnly: true });
    const steps = ['page_view', { type: 'add_to_cart' }, { type: 'purchase', properties: { plan: 'pro' } }];
    const created = await call('POST', '/v1/funnels', { name: 'History', steps });
    const from = at(WARM_DAY);
    const to = at(WARM_DAY + 2 * DAY_MS);
    const answer = await call('GET', `/v1/funnels/${created.body.id}?from=${from}&to=${to}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ tiers: ['warm'], counts: 'visitors', from, to });
    const truth = historyTruth(events, [
      (e) => e.type === 'page_view',
      (e) => e.type === 'add_to_cart',
      (e) => e.type === 'purchase' && e.properties?.plan === 'pro',
    ]);
    expect(truth[2]).toBeGreaterThan(0);
    expect(answer.body.steps.map((s: { users: number }) => s.users)).toEqual(truth);
    // The deploy-time funnel over history too; its live answer stays the hot tier's.
    const fallback = await call('GET', `/v1/funnels/default?from=${from}&to=${to}`);
    expect(fallback.body).toMatchObject({ id: 'default', tiers: ['warm'], counts: 'visitors' });
    expect(fallback.body.steps.map((s: { users: number }) => s.users)).toEqual(
      historyTruth(events, [
        (e) => e.type === 'page_view',
        (e) => e.type === 'page_view' && e.product !== null,
        (e) => e.type === 'add_to_cart',
        (e) => e.type === 'checkout_started',
        (e) => e.type === 'purchase',
      ]),
    );
    expect(fallback.body.steps[0].users).toBeGreaterThan(0);
    // A range wholly older than the warm tier's 30 days: no tier answers it.
    const old = await call(
      'GET',
      `/v1/funnels/${created.body.id}?from=${at(START - 60 * DAY_MS)}&to=${at(START - 45 * DAY_MS)}`,
    );
    expect(old.body).toMatchObject({ tiers: [], to: at(START - 45 * DAY_MS) });
    expect(old.body.steps.map((s: { users: number }) => s.users)).toEqual([0, 0, 0]);
    // Filtered: the funnel of the events that pass every filter.
    const mobile = await call(
      'GET',
      `/v1/funnels/${created.body.id}?from=${from}&to=${to}&filter=device:mobile&filter=type:page_view`,
    );
    const onMobile = events.filter((e) => e.user_agent.device_type === 'mobile' && e.type === 'page_view');
    expect(mobile.body.steps.map((s: { users: number }) => s.users)).toEqual(
      historyTruth(onMobile, [
        (e) => e.type === 'page_view',
        (e) => e.type === 'add_to_cart',
        (e) => e.type === 'purchase' && e.properties?.plan === 'pro',
      ]),
    );
    const phoneTruth = historyTruth(
      events.filter((e) => e.user_agent.device_type === 'mobile'),
      [
        (e) => e.type === 'page_view',
        (e) => e.type === 'add_to_cart',
        (e) => e.type === 'purchase' && e.properties?.plan === 'pro',
      ],
    );
    const phone = await call(
      'GET',
      `/v1/funnels/${created.body.id}?from=${from}&to=${to}&filter=device:mobile`,
    );
    expect(phone.body.steps.map((s: { users: number }) => s.users)).toEqual(phoneTruth);
    expect(phoneTruth).not.toEqual(truth);
    expect(
      (await call('GET', `/v1/funnels/${created.body.id}?from=${from}&filter=weather:rain`)).body,
    ).toMatchObject({
      field: 'filter',
    });
  });

  it('answer a filtered live window from the warm tier: visitors per step, as over history', async () => {
    const events: EnrichedEvent[] = [];
    const journeys: EventType[][] = [
      ['page_view'],
      ['page_view', 'add_to_cart'],
      ['page_view', 'add_to_cart', 'purchase'],
    ];
    for (let v = 0; v < 12; v++) {
      const device_type = v % 3 === 0 ? ('desktop' as const) : ('mobile' as const);
      journeys[v % 3]!.forEach((type, n) => {
        const e = step(`live${v}`, type, clock - 20 * MINUTE_MS + v * 1000 + n * MINUTE_MS);
        events.push({ ...e, user_agent: { ...e.user_agent, device_type } });
      });
    }
    // A phone's purchase before the window: not in it.
    const early = step('live-early', 'page_view', clock - 40 * MINUTE_MS);
    await api.deliver([...events, { ...early, user_agent: { ...early.user_agent, device_type: 'mobile' } }], {
      warmOnly: true,
    });
    const created = await call('POST', '/v1/funnels', {
      name: 'Live',
      steps: ['page_view', 'add_to_cart', 'purchase'],
    });
    const answer = await call('GET', `/v1/funnels/${created.body.id}?window=1800&filter=device:mobile`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      tiers: ['warm'],
      counts: 'visitors',
      from: at(clock - 1800 * 1000),
      to: at(clock),
    });
    const onMobile = events.filter((e) => e.user_agent.device_type === 'mobile');
    const truth = historyTruth(onMobile, [
      (e) => e.type === 'page_view',
      (e) => e.type === 'add_to_cart',
      (e) => e.type === 'purchase',
    ]);
    expect(truth).toEqual([8, 8, 4]);
    expect(answer.body.steps.map((s: { users: number }) => s.users)).toEqual(truth);
    // The deploy-time funnel's too; unfiltered, the live counts stay the hot tier's.
    const fallback = await call('GET', '/v1/funnels/default?filter=device:mobile');
    expect(fallback.body).toMatchObject({ id: 'default', tiers: ['warm'], counts: 'visitors' });
    expect(fallback.body.steps[0].users).toBe(8);
    expect((await call('GET', `/v1/funnels/${created.body.id}`)).body).toMatchObject({ tiers: ['hot'] });
    expect((await call('GET', '/v1/funnels/default')).body).toMatchObject({ tiers: ['hot'] });
    expect((await call('GET', '/v1/funnels/default?filter=weather:rain')).body).toMatchObject({
      field: 'filter',
    });
  });

  it('are deleted: gone from the list and the answers', async () => {
    expect((await call('DELETE', `/v1/funnels/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/funnels/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/v1/funnels/${id}`)).status).toBe(404);
    const listed = await call('GET', '/v1/funnels');
    expect(listed.body.funnels.map((f: { id: string }) => f.id)).not.toContain(id);
    // The aggregator drops it too: later events count into no key of it.
    const firstSteps = async () => {
      const keys = await api.redis.client.keys(`{sp}:${PROJECT}:rf:${id}.*:m:*`);
      const counted = await Promise.all(keys.map((k) => api.redis.client.hgetall(k)));
      return counted.reduce((n, h) => n + Number(h['0'] ?? 0), 0);
    };
    const before = await firstSteps();
    expect(before).toBe(3 + 2);
    await aggregate([step('v7', 'page_view', clock + 1000)]);
    expect(await firstSteps()).toBe(before);
  });
});

describe('the funnels function with its store down', () => {
  it('counts the deploy-time funnel all the same, without waiting on the store', async () => {
    const down = createFunnelsFunction({
      redis: { url: api.redis.url },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
      funnels: parseFunnelCatalog(undefined),
      // Nothing listens here.
      clickhouse: {
        url: `http://127.0.0.1:${await freePort()}`,
        username: 'default',
        password: '',
        database: 'default',
      },
    });
    try {
      const t = Date.now() - 60_000;
      const events = [0, 1].map((i) => ({ ...step(`d${i}`, 'page_view', t + i), project: 'storeless' }));
      const started = Date.now();
      const [report] = await down.handler(
        mskEventOf(events, { partition: 3 }),
        createLambdaContext('funnels'),
      );
      expect(report).toMatchObject({ applied: 2 });
      expect(Date.now() - started).toBeLessThan(10_000);
      const keys = await api.redis.client.keys('{sp}:storeless:f:m:*');
      const counted = await Promise.all(keys.map((k) => api.redis.client.hget(k, '0')));
      expect(counted.reduce((n, v) => n + Number(v ?? 0), 0)).toBe(2);
    } finally {
      await down.close();
    }
  });
});

/**
 * Visitors reaching each step, from the events: a visitor reaches step k when, from some event
 * taking the first step, the later steps follow in order within the funnel's 30 minutes.
 */
function historyTruth(
  events: readonly EnrichedEvent[],
  steps: Array<(e: EnrichedEvent) => boolean>,
): number[] {
  const byVisitor = new Map<string, EnrichedEvent[]>();
  for (const e of events) byVisitor.set(e.user_id!, [...(byVisitor.get(e.user_id!) ?? []), e]);
  const reached = steps.map(() => 0);
  for (const list of byVisitor.values()) {
    const sorted = [...list].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    let best = 0;
    sorted.forEach((first, i) => {
      if (!steps[0]!(first)) return;
      const start = Date.parse(first.timestamp);
      let level = 1;
      for (const e of sorted.slice(i + 1)) {
        if (Date.parse(e.timestamp) - start > 30 * MINUTE_MS || level === steps.length) break;
        if (steps[level]!(e)) level += 1;
      }
      best = Math.max(best, level);
    });
    for (let k = 0; k < best; k++) reached[k]! += 1;
  }
  return reached;
}
