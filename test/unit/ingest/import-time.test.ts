import { describe, expect, it } from 'vitest';
import { IMPORT_FUTURE_TOLERANCE_MS, importedTimestamp } from '../../../core/events/import-time.ts';
import { planSegment } from '../../../core/events/ingest-batch.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { TOPICS } from '../../../core/topics.ts';
import { ingestRoute } from '../../../lambdas/ingest/routes.ts';

const received = Date.parse('2024-05-01T12:00:00.000Z');
const facts = {
  receivedAtMs: received,
  sourceIp: undefined,
  userAgent: undefined,
  project: 'shop',
  source: 'segment' as const,
};

describe('importedTimestamp', () => {
  it('keeps a past timestamp as sent, however old', () => {
    for (const t of ['1996-03-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2024-05-01T11:59:59.999Z'])
      expect(importedTimestamp(t, received, 0)).toEqual({ ok: true, timestamp: t, clamped: false });
  });

  it('writes an offset timestamp in canonical UTC form, the same instant', () => {
    expect(importedTimestamp('1996-03-01T02:30:00+02:30', received, 0)).toEqual({
      ok: true,
      timestamp: '1996-03-01T00:00:00.000Z',
      clamped: false,
    });
  });

  it('uses received_at when no timestamp is given, which is no clamp', () => {
    expect(importedTimestamp(undefined, received, 0)).toEqual({
      ok: true,
      timestamp: '2024-05-01T12:00:00.000Z',
      clamped: false,
    });
  });

  it('keeps a timestamp up to the tolerance ahead, and clamps one beyond it to received_at', () => {
    const edge = new Date(received + IMPORT_FUTURE_TOLERANCE_MS).toISOString();
    expect(importedTimestamp(edge, received, 0)).toEqual({ ok: true, timestamp: edge, clamped: false });
    const beyond = new Date(received + IMPORT_FUTURE_TOLERANCE_MS + 1).toISOString();
    expect(importedTimestamp(beyond, received, 0)).toEqual({
      ok: true,
      timestamp: '2024-05-01T12:00:00.000Z',
      clamped: true,
    });
  });

  it('refuses a time before 1970 or not a time, naming the field and rule', () => {
    expect(importedTimestamp('1969-12-31T23:59:59.999Z', received, 4)).toEqual({
      ok: false,
      rejection: expect.objectContaining({ index: 4, field: 'timestamp', rule: 'minimum' }),
    });
    expect(importedTimestamp('yesterday', received, 2)).toEqual({
      ok: false,
      rejection: expect.objectContaining({ index: 2, field: 'timestamp', rule: 'format' }),
    });
  });
});

describe('planSegment on /v1/import', () => {
  const message = (messageId: string, timestamp: string) => ({
    type: 'track',
    event: 'Order Completed',
    messageId,
    userId: 'u1',
    timestamp,
    properties: { order_id: messageId, revenue: 10 },
  });
  const written = (plan: ReturnType<typeof planSegment>) =>
    plan.records.filter((r) => r.topic === TOPICS.eventsRaw.name).map((r) => JSON.parse(r.value));
  const body = {
    // The importer's clock now: it must not move history.
    sentAt: '2024-05-01T14:00:00.000Z',
    batch: [
      message('m0', '1996-03-01T09:30:00.000Z'),
      message('m1', '2024-05-03T00:00:00.000Z'),
      message('m2', '1969-07-20T20:17:00.000Z'),
      message('m3', 'not a time'),
    ],
  };

  it('is the route /v1/import takes, and no other', () => {
    expect(ingestRoute('/v1/import')).toEqual({ kind: 'segment', segmentType: 'batch', timeRule: 'import' });
    expect(ingestRoute('/v1/batch')).toEqual({ kind: 'segment', segmentType: 'batch' });
  });

  it('keeps past dates as sent, clamps the future and says so, refuses what cannot be stored', () => {
    const plan = planSegment(body, 'batch', facts, INGEST_LIMITS, 'POST /v1/import', 'import');
    const events = written(plan);
    expect(events.map((e) => [e.timestamp, e.timestamp_flag])).toEqual([
      ['1996-03-01T09:30:00.000Z', null],
      ['2024-05-01T12:00:00.000Z', 'future'],
    ]);
    expect(plan.clamped).toEqual([
      expect.objectContaining({ index: 1, field: 'timestamp', rule: 'maxFutureSkew' }),
    ]);
    expect(plan.rejections).toEqual([
      expect.objectContaining({ index: 2, field: 'timestamp', rule: 'minimum' }),
      expect.objectContaining({ index: 3, field: 'timestamp', rule: 'format' }),
    ]);
    expect(plan.accepted).toBe(2);
  });

  it('leaves the live routes to the clock-skew guard: the same 1996 event is dated when received', () => {
    const plan = planSegment(body, 'batch', facts, INGEST_LIMITS, 'POST /v1/batch');
    const [old] = written(plan);
    expect(old).toMatchObject({ timestamp: '2024-05-01T12:00:00.000Z', timestamp_flag: 'before_2000' });
    expect(plan.clamped).toEqual([]);
  });
});
