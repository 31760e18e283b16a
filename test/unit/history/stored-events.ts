import { planSegment } from '../../../core/events/ingest-batch.ts';
import type { ImportMessage, RowMapping } from '../../../core/history/row-mapping.ts';
import { INGEST_LIMITS } from '../../../core/limits/ingest-limits.ts';
import { TOPICS } from '../../../core/topics.ts';

const facts = {
  receivedAtMs: Date.parse('2024-05-01T12:00:00.000Z'),
  sourceIp: undefined,
  userAgent: undefined,
  project: 'shop',
  source: 'segment' as const,
};

/** The message of a row that mapped, failing the test when it did not. */
export function messageOf(mapping: RowMapping): ImportMessage {
  if (!mapping.ok) throw new Error(`row not mapped: ${JSON.stringify(mapping.reason)}`);
  return mapping.message;
}

/** What the real `/v1/import` planning stores for these messages, and what it rejects. */
export function stored(messages: readonly ImportMessage[]) {
  const plan = planSegment({ batch: messages }, 'batch', facts, INGEST_LIMITS, 'POST /v1/import', 'import');
  const events = plan.records
    .filter((r) => r.topic === TOPICS.eventsRaw.name)
    .map((r) => JSON.parse(r.value) as Record<string, unknown>);
  return { events, rejections: plan.rejections };
}
