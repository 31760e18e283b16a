import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../core/events/ingest-batch.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { judgeDeadLetter, readDeadLetter, replayId } from '../../../lambdas/replay-dead-letter.ts';
import { DlqSummary, UNREADABLE } from '../../../lambdas/replay-dlq-summary.ts';
import { makeEvent } from './factories.ts';

const at = { partition: 0, offset: 41 };
const deep = { a: { b: 1 } };

function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    reason: { index: 0, field: 'properties', rule: 'maxPropertiesDepth', message: 'too deep' },
    payload: makeEvent({ properties: deep }),
    project: 'shop',
    route: 'POST /v1/events',
    received_at: '2026-03-01T10:00:00.000Z',
    ...overrides,
  };
}

describe('judgeDeadLetter', () => {
  it('accepts what today allows, as the original request would be: same project and receive time', () => {
    const verdict = judgeDeadLetter(letter(), at, INGEST_LIMITS);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.records).toHaveLength(1);
    const [record] = verdict.records;
    expect(record?.topic).toBe('events.raw');
    expect(record?.key).toBe('user-1');
    expect(JSON.parse(record!.value)).toMatchObject({
      project: 'shop',
      source: 'spate',
      received_at: '2026-03-01T10:00:00.000Z',
      properties: deep,
    });
  });

  it('replays a letter of /v1/import by the import rule: its 1996 date is kept', () => {
    const imported = letter({
      route: 'POST /v1/import',
      payload: {
        type: 'track',
        event: 'Signed Up',
        messageId: 'm-1996',
        userId: 'u',
        timestamp: '1996-03-01T10:15:00.000Z',
      },
    });
    const live = { ...imported, route: 'POST /v1/batch' };
    const time = (l: DeadLetter) => {
      const verdict = judgeDeadLetter(l, at, INGEST_LIMITS);
      return verdict.ok ? JSON.parse(verdict.records[0]!.value).timestamp : undefined;
    };
    expect(time(imported)).toBe('1996-03-01T10:15:00.000Z');
    expect(time(live)).toBe('2026-03-01T10:00:00.000Z');
  });

  it('refuses with the reason today gives, and writes nothing back to events.dlq', () => {
    const bad = letter({ payload: { ...makeEvent(), event_id: 'nope' } });
    const verdict = judgeDeadLetter(bad, at, INGEST_LIMITS);
    expect(verdict).toMatchObject({ ok: false, rejection: { field: 'event_id', rule: 'format' } });
    expect(judgeDeadLetter(letter(), at, { ...INGEST_LIMITS, maxPropertiesDepth: 1 })).toMatchObject({
      ok: false,
      rejection: { field: 'properties', rule: 'maxPropertiesDepth' },
    });
  });

  it('names an event sent without an id by its place on events.dlq: the same id on every replay', () => {
    const { event_id: _, ...withoutId } = makeEvent({ properties: deep });
    const idless = letter({ payload: withoutId });
    const id = (position: typeof at) => {
      const verdict = judgeDeadLetter(idless, position, INGEST_LIMITS);
      return verdict.ok ? JSON.parse(verdict.records[0]!.value).event_id : undefined;
    };
    expect(id(at)).toBe(replayId(idless, at));
    expect(id(at)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id({ partition: 0, offset: 42 })).not.toBe(id(at));
  });

  it('judges a message of a Segment batch as a batch of one', () => {
    const message = { type: 'track', event: 'Order Completed', userId: 'u-7', properties: deep };
    const verdict = judgeDeadLetter(letter({ route: 'POST /v1/b', payload: message }), at, INGEST_LIMITS);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(JSON.parse(verdict.records[0]!.value)).toMatchObject({ source: 'segment', user_id: 'u-7' });
  });

  it('judges a payload that is itself an array as the one item it was', () => {
    const verdict = judgeDeadLetter(letter({ payload: [makeEvent()] }), at, INGEST_LIMITS);
    expect(verdict).toMatchObject({ ok: false, rejection: { index: 0 } });
  });

  it('refuses a letter whose route no longer takes events', () => {
    expect(judgeDeadLetter(letter({ route: 'POST /v0/old' }), at, INGEST_LIMITS)).toMatchObject({
      ok: false,
      rejection: { field: 'route', rule: 'unknown' },
    });
  });
});

describe('readDeadLetter', () => {
  it('reads what ingest writes and nothing else', () => {
    const written = letter();
    expect(readDeadLetter(JSON.stringify(written))).toEqual(written);
    expect(readDeadLetter('not json')).toBeUndefined();
    expect(readDeadLetter(JSON.stringify({ payload: 1 }))).toBeUndefined();
    expect(readDeadLetter(null)).toBeUndefined();
  });
});

describe('DlqSummary', () => {
  it('counts by field and rule, most frequent first, with the first samples of each', () => {
    const summary = new DlqSummary(1);
    const format = letter({ reason: { index: 0, field: 'event_id', rule: 'format', message: 'not a uuid' } });
    summary.add({ partition: 0, offset: 1 }, format, { pending: false, passNow: false });
    summary.add({ partition: 0, offset: 2 }, letter(), { pending: true, passNow: true });
    summary.add({ partition: 0, offset: 3 }, letter(), { pending: true, passNow: false });
    summary.add({ partition: 0, offset: 4 }, undefined, { pending: true, passNow: false });
    const reasons = summary.reasons();
    expect(reasons.map((r) => [r.reason, r.count, r.pending, r.passNow])).toEqual([
      ['properties maxPropertiesDepth', 2, 2, 1],
      ['event_id format', 1, 0, 0],
      [UNREADABLE, 1, 1, 0],
    ]);
    expect(reasons[0]?.samples).toEqual([
      expect.objectContaining({ offset: 2, project: 'shop', route: 'POST /v1/events', message: 'too deep' }),
    ]);
    expect([summary.total, summary.pending, summary.passNow]).toEqual([4, 3, 1]);
  });
});
