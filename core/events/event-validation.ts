import type { IngestLimits } from '../limits/ingest-limits.ts';
import { jsonDepth } from '../limits/json-depth.ts';
import { type IncomingEvent, IncomingEventSchema } from './event-schema.ts';
import type { Rejection } from './ingest-error.ts';
import { compileSchemaCheck } from './schema-validator.ts';

const checkSchema = compileSchemaCheck(IncomingEventSchema);

export type EventCheck =
  | { readonly ok: true; readonly event: IncomingEvent }
  | { readonly ok: false; readonly rejection: Rejection };

/** Every per-event rule of `POST /v1/events`: size, schema, identity, properties depth. */
export function checkIncomingEvent(value: unknown, index: number, limits: IngestLimits): EventCheck {
  const size = checkEventBytes(value, index, limits);
  if (size) return { ok: false, rejection: size };
  return checkEventShape(value, index, limits);
}

/** The rules but size: schema, identity, properties depth. */
export function checkEventShape(value: unknown, index: number, limits: IngestLimits): EventCheck {
  const schemaRejection = checkSchema(value, index);
  if (schemaRejection) return { ok: false, rejection: schemaRejection };
  return checkCommonRules(value as IncomingEvent, index, limits);
}

export function checkEventBytes(value: unknown, index: number, limits: IngestLimits, noun = 'event') {
  const bytes = serialisedBytes(value);
  if (bytes <= limits.maxEventBytes) return undefined;
  const message = `${noun} is ${bytes} bytes, over the limit of ${limits.maxEventBytes}`;
  return { index, field: '$', rule: 'maxEventBytes', message } satisfies Rejection;
}

// A valid event's JSON holds nothing its encoded enriched form lacks except `context` (at most
// ~1,200 characters), and a UTF-16 unit is at most 3 UTF-8 bytes.
const CONTEXT_CHARS = 1300;

/**
 * Whether the size rule can be skipped for a valid event whose enriched encoding has
 * `encodedChars` characters: true for all but unusually large events, which are measured.
 */
export function surelyWithinEventBytes(encodedChars: number, limits: IngestLimits): boolean {
  return (encodedChars + CONTEXT_CHARS) * 3 <= limits.maxEventBytes;
}

/** The rules shared by every event shape once it is in Spate's form (Segment events included). */
export function checkCommonRules(event: IncomingEvent, index: number, limits: IngestLimits): EventCheck {
  if (event.user_id === undefined && event.anonymous_id === undefined) {
    return reject(index, 'user_id', 'required', 'user_id or anonymous_id is required');
  }
  if (event.properties !== undefined) {
    const depth = jsonDepth(event.properties, limits.maxPropertiesDepth + 1);
    if (depth > limits.maxPropertiesDepth) {
      return reject(
        index,
        'properties',
        'maxPropertiesDepth',
        `properties nest deeper than ${limits.maxPropertiesDepth} levels`,
      );
    }
  }
  return { ok: true, event };
}

export function serialisedBytes(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 0 : Buffer.byteLength(json);
}

function reject(index: number, field: string, rule: string, message: string): EventCheck {
  return { ok: false, rejection: { index, field, rule, message } };
}
