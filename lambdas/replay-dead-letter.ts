import { createHash } from 'node:crypto';
import { withAssignedId } from '../core/events/assigned-id.ts';
import type { DeadLetter, OutgoingRecord } from '../core/events/ingest-batch.ts';
import { IngestError, type Rejection } from '../core/events/ingest-error.ts';
import type { IngestLimits } from '../core/limits/ingest-limits.ts';
import { TOPICS } from '../core/topics.ts';
import { type EventRoute, planRequest } from './ingest/ingest-plan.ts';
import { ingestRoute } from './ingest/routes.ts';

/** Where a dead letter sits on events.dlq: its identity, for the replay's ids and offsets. */
export interface LetterPosition {
  readonly partition: number;
  readonly offset: number;
}

/** What one dead letter comes to when judged again: records to write, or why it still fails. */
export type ReplayVerdict =
  | { readonly ok: true; readonly records: readonly OutgoingRecord[] }
  | { readonly ok: false; readonly rejection: Rejection };

/**
 * A record of events.dlq as ingest wrote it, or undefined for anything else (a record written
 * by hand, or by a version that wrote another shape): the replay counts those, never guesses.
 */
export function readDeadLetter(value: Buffer | string | null): DeadLetter | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const letter = parsed as Partial<DeadLetter>;
  const reason = letter.reason as Partial<Rejection> | undefined;
  if (
    typeof letter.project !== 'string' ||
    typeof letter.route !== 'string' ||
    typeof letter.received_at !== 'string' ||
    typeof reason?.field !== 'string' ||
    typeof reason.rule !== 'string' ||
    !('payload' in letter)
  )
    return undefined;
  return letter as DeadLetter;
}

/** How rejections are grouped for people: the field and the rule it broke. */
export function reasonOf(rejection: Pick<Rejection, 'field' | 'rule'>): string {
  return `${rejection.field} ${rejection.rule}`;
}

/**
 * Judges a dead letter again with today's validation (lambdas/ingest/ingest-plan.ts), as the
 * request it came in would be judged now: same project, same route, same receive time (the
 * clock-skew guard measures against it). What the DLQ does not keep is absent: the client's
 * address and user agent (unless the event carries them in `context`), and a Segment batch's
 * shared `context` and `sentAt`. An event sent without an id gets one derived from its place on
 * events.dlq, so replaying it twice (a crash between write and commit) yields the same event id,
 * which every tier counts once.
 */
export function judgeDeadLetter(
  letter: DeadLetter,
  position: LetterPosition,
  limits: IngestLimits,
): ReplayVerdict {
  const [, path = ''] = letter.route.split(' ');
  const route = ingestRoute(path);
  if (!route || route.kind === 'client-metrics') {
    return refused('route', 'unknown', `route ${letter.route} no longer takes events`);
  }
  const receivedAtMs = Date.parse(letter.received_at);
  if (Number.isNaN(receivedAtMs)) {
    return refused('received_at', 'format', `received_at ${letter.received_at} is not a time`);
  }
  const id = replayId(letter, position);
  const body = bodyFor(route, letter.payload, id);
  let plan: ReturnType<typeof planRequest>;
  try {
    plan = planRequest(
      route,
      body,
      {
        receivedAtMs,
        sourceIp: undefined,
        userAgent: undefined,
        project: letter.project,
        source: route.kind === 'segment' ? 'segment' : 'spate',
      },
      limits,
      letter.route,
    );
  } catch (err) {
    if (!(err instanceof IngestError)) throw err;
    return refused('$', err.code, err.message);
  }
  const [rejection] = plan.rejections;
  if (rejection) return { ok: false, rejection };
  // Only the accepted records: a failing letter stays where it is, it is not written again.
  return { ok: true, records: plan.records.filter((r) => r.topic !== TOPICS.eventsDlq.name) };
}

/** The payload as the one item of a request on its route. */
function bodyFor(route: EventRoute, payload: unknown, id: string): unknown {
  switch (route.kind) {
    // In an array, so a payload that is itself an array is judged as one item, as it was.
    case 'events':
      return [withAssignedId(payload, 'event_id', () => id)];
    case 'tweets':
      return [payload];
    case 'segment': {
      const message = withAssignedId(payload, 'messageId', () => id);
      return route.segmentType === 'batch' ? { batch: [message] } : message;
    }
  }
}

// A fixed namespace for the name-based (version 5) ids of replayed events.
const REPLAY_NAMESPACE = Buffer.from('6f1c2a4e8b3d4f0a9c7e5b2d1a0f3e6c', 'hex');

/** A UUID (version 5) named by the letter's place on events.dlq and the time it was received. */
export function replayId(letter: DeadLetter, position: LetterPosition): string {
  const name = `${TOPICS.eventsDlq.name}/${position.partition}/${position.offset}/${letter.received_at}`;
  const hash = createHash('sha1').update(REPLAY_NAMESPACE).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function refused(field: string, rule: string, message: string): ReplayVerdict {
  return { ok: false, rejection: { index: 0, field, rule, message } };
}
