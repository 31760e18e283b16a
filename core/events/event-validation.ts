import type { IngestLimits } from '../limits/ingest-limits.ts';
import { jsonDepth } from '../limits/json-depth.ts';
import { type IncomingEvent, IncomingEventSchema } from './event-schema.ts';
import type { Rejection } from './ingest-error.ts';
import { compileSchemaCheck } from './schema-validator.ts';

const checkSchema = compileSchemaCheck(IncomingEventSchema);

export type EventCheck =
  | { readonly ok: true; readonly event: IncomingEvent; readonly bytes: number }
  | { readonly ok: false; readonly rejection: Rejection };

/** Every per-event rule of `POST /v1/events`: size, schema, identity, properties depth. */
export function checkIncomingEvent(value: unknown, index: number, limits: IngestLimits): EventCheck {
  const bytes = serialisedBytes(value);
  if (bytes > limits.maxEventBytes) {
    return reject(
      index,
      '$',
      'maxEventBytes',
      `event is ${bytes} bytes, over the limit of ${limits.maxEventBytes}`,
    );
  }
  const schemaRejection = checkSchema(value, index);
  if (schemaRejection) return { ok: false, rejection: schemaRejection };
  const event = value as IncomingEvent;
  return checkCommonRules(event, index, limits, bytes);
}

/** The rules shared by every event shape once it is in Spate's form (Segment events included). */
export function checkCommonRules(
  event: IncomingEvent,
  index: number,
  limits: IngestLimits,
  bytes: number,
): EventCheck {
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
  return { ok: true, event, bytes };
}

export function serialisedBytes(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 0 : Buffer.byteLength(json);
}

function reject(index: number, field: string, rule: string, message: string): EventCheck {
  return { ok: false, rejection: { index, field, rule, message } };
}
