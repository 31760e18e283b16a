import { enrichEvent, eventKey, type RequestFacts } from '../enrichment/enrich-event.ts';
import type { IngestLimits } from '../limits/ingest-limits.ts';
import { mapSegmentMessage } from '../segment/segment-mapping.ts';
import { type SegmentMessage, SegmentMessageSchema, type SegmentType } from '../segment/segment-message.ts';
import { TOPICS } from '../topics.ts';
import { withAssignedId } from './assigned-id.ts';
import {
  checkCommonRules,
  checkEventBytes,
  checkEventShape,
  surelyWithinEventBytes,
} from './event-validation.ts';
import { type Clamp, futureClamp, importedTimestamp } from './import-time.ts';
import { IngestError, type Rejection } from './ingest-error.ts';
import { isoTime } from './iso-time.ts';
import { compileSchemaCheck } from './schema-validator.ts';
import { type ReceivedTweet, type Tweet, TweetSchema, tweetKey } from './tweet.ts';

/** One record to produce, already encoded. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: string;
}

/** What one request turns into: records to write and the per-event verdicts for the response. */
export interface IngestPlan {
  readonly records: OutgoingRecord[];
  readonly accepted: number;
  readonly rejections: Rejection[];
  /** Accepted events whose timestamp was changed (imports only; live routes follow the skew guard). */
  readonly clamped: Clamp[];
}

/**
 * Whose rules an event's time follows: `live` events are about now (the clock-skew guard
 * corrects and bounds them), `import` events are history (kept as sent, see import-time.ts).
 */
export type TimeRule = 'live' | 'import';

/** What events.dlq holds for a rejected item: enough to count it, and to replay it after a fix. */
export interface DeadLetter {
  readonly reason: Rejection;
  readonly payload: unknown;
  readonly project: string;
  readonly route: string;
  readonly received_at: string;
}

const checkSegment = compileSchemaCheck(SegmentMessageSchema);
const checkTweet = compileSchemaCheck(TweetSchema);

/** `POST /v1/events`: one event or an array of them; an event without `event_id` is given one. */
export function planEvents(
  body: unknown,
  facts: RequestFacts,
  limits: IngestLimits,
  route: string,
): IngestPlan {
  const items = itemsOf(body, limits, 'event');
  const plan = newPlan();
  for (const [index, item] of items.entries()) {
    const check = checkEventShape(withAssignedId(item, 'event_id'), index, limits);
    if (!check.ok) {
      reject(plan, check.rejection, item, facts, route);
      continue;
    }
    const enriched = enrichEvent(check.event, facts);
    const value = JSON.stringify(enriched);
    // Measuring every event's JSON costs a tenth of the hot path; the encoded size bounds it.
    const tooLarge = surelyWithinEventBytes(value.length, limits)
      ? undefined
      : checkEventBytes(item, index, limits);
    if (tooLarge) {
      reject(plan, tooLarge, item, facts, route);
      continue;
    }
    accept(plan, { topic: TOPICS.eventsRaw.name, key: eventKey(enriched), value });
  }
  return plan;
}

/**
 * Segment's tracking API: `/v1/batch` takes `{batch: [...], sentAt, context}`; the single-call
 * routes take one message whose `type` the route implies. A message without `messageId` is given one.
 * `/v1/import` is a batch whose times follow the `import` rule.
 */
export function planSegment(
  body: unknown,
  routeType: SegmentType | 'batch',
  facts: RequestFacts,
  limits: IngestLimits,
  route: string,
  timeRule: TimeRule = 'live',
): IngestPlan {
  const envelope = asObject(body);
  if (!envelope) throw new IngestError(400, 'body', 'body must be a JSON object');
  let items: unknown[];
  let batchSentAt: string | undefined;
  let sharedContext: Record<string, unknown> | undefined;
  if (routeType === 'batch') {
    if (!Array.isArray(envelope.batch))
      throw new IngestError(400, 'batch', 'batch must be an array of messages');
    items = itemsOf(envelope.batch, limits, 'message');
    batchSentAt = typeof envelope.sentAt === 'string' ? envelope.sentAt : undefined;
    sharedContext = asObject(envelope.context);
  } else {
    items = [{ ...envelope, type: envelope.type ?? routeType }];
  }
  const plan = newPlan();
  for (const [index, raw] of items.entries()) {
    const item = withAssignedId(sharedContext ? withSharedContext(raw, sharedContext) : raw, 'messageId');
    const rejection = checkSegmentMessage(item, index, limits);
    if (rejection) {
      reject(plan, rejection, raw, facts, route);
      continue;
    }
    const mapped = mapSegmentMessage(item as SegmentMessage, facts.project, batchSentAt);
    const check = checkCommonRules(mapped.event, index, limits);
    if (!check.ok) {
      reject(plan, check.rejection, raw, facts, route);
      continue;
    }
    const time =
      timeRule === 'import'
        ? importedTimestamp(mapped.event.timestamp, facts.receivedAtMs, index)
        : undefined;
    if (time && !time.ok) {
      reject(plan, time.rejection, raw, facts, route);
      continue;
    }
    let enriched = enrichEvent(mapped.event, facts, mapped.extras);
    if (time?.ok) {
      if (time.clamped) plan.clamped.push(futureClamp(index, mapped.event.timestamp ?? '', time.timestamp));
      enriched = { ...enriched, timestamp: time.timestamp, timestamp_flag: time.clamped ? 'future' : null };
    }
    accept(plan, { topic: TOPICS.eventsRaw.name, key: eventKey(enriched), value: JSON.stringify(enriched) });
  }
  return plan;
}

/** `POST /v1/tweets`: one tweet or an array. */
export function planTweets(
  body: unknown,
  facts: RequestFacts,
  limits: IngestLimits,
  route: string,
): IngestPlan {
  const items = itemsOf(body, limits, 'tweet');
  const plan = newPlan();
  const receivedAt = isoTime(facts.receivedAtMs);
  for (const [index, item] of items.entries()) {
    const rejection = checkEventBytes(item, index, limits, 'tweet') ?? checkTweet(item, index);
    if (rejection) {
      reject(plan, rejection, item, facts, route);
      continue;
    }
    const tweet = item as Tweet;
    const value: ReceivedTweet = { ...tweet, project: facts.project, received_at: receivedAt };
    accept(plan, { topic: TOPICS.tweetsRaw.name, key: tweetKey(tweet), value: JSON.stringify(value) });
  }
  return plan;
}

/** Segment's own field names in errors, since that is what its clients sent. */
function checkSegmentMessage(item: unknown, index: number, limits: IngestLimits): Rejection | undefined {
  const rejection = checkEventBytes(item, index, limits, 'message') ?? checkSegment(item, index);
  if (rejection) return rejection;
  const message = item as SegmentMessage;
  const hasId = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (!hasId(message.userId) && !hasId(message.anonymousId)) {
    return { index, field: 'userId', rule: 'required', message: 'userId or anonymousId is required' };
  }
  if (message.type === 'track' && message.event === undefined) {
    return { index, field: 'event', rule: 'required', message: 'event is required on track' };
  }
  return undefined;
}

function itemsOf(body: unknown, limits: IngestLimits, noun: string): unknown[] {
  const items = Array.isArray(body) ? body : body !== null && typeof body === 'object' ? [body] : undefined;
  if (items === undefined)
    throw new IngestError(400, 'body', `body must be a ${noun} object or an array of them`);
  if (items.length === 0) throw new IngestError(400, 'body', `body holds no ${noun}s`);
  if (items.length > limits.maxEventsPerRequest) {
    throw new IngestError(
      413,
      'maxEventsPerRequest',
      `${items.length} ${noun}s in one request, over the limit of ${limits.maxEventsPerRequest} (limit maxEventsPerRequest)`,
    );
  }
  return items;
}

function newPlan(): {
  records: OutgoingRecord[];
  accepted: number;
  rejections: Rejection[];
  clamped: Clamp[];
} {
  return { records: [], accepted: 0, rejections: [], clamped: [] };
}

function accept(plan: ReturnType<typeof newPlan>, record: OutgoingRecord): void {
  plan.records.push(record);
  plan.accepted += 1;
}

function reject(
  plan: ReturnType<typeof newPlan>,
  reason: Rejection,
  payload: unknown,
  facts: RequestFacts,
  route: string,
): void {
  plan.rejections.push(reason);
  const letter: DeadLetter = {
    reason,
    payload,
    project: facts.project,
    route,
    received_at: isoTime(facts.receivedAtMs),
  };
  plan.records.push({ topic: TOPICS.eventsDlq.name, key: null, value: JSON.stringify(letter) });
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function withSharedContext(raw: unknown, shared: Record<string, unknown>): unknown {
  const message = asObject(raw);
  if (!message) return raw;
  return { ...message, context: { ...shared, ...asObject(message.context) } };
}
