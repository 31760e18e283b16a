import type { SegmentType } from '../segment/segment-message.ts';

/**
 * One row of history as `/v1/import` takes it: a Segment message. Every row carries a
 * `messageId` (from the file, or derived from the row, see row-event-id.ts) so that sending a
 * row again, after a crash or in a second run, is recognised as a copy by every tier.
 */
export interface ImportMessage {
  readonly type: SegmentType;
  readonly messageId: string;
  readonly timestamp: string;
  readonly event?: string;
  readonly name?: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly groupId?: string;
  readonly previousId?: string;
  readonly properties?: Record<string, unknown>;
  readonly context?: Record<string, unknown>;
  readonly traits?: Record<string, unknown>;
}

/** Why a row could not be made into a message: the field and rule, as the ingest API names them. */
export interface Unmappable {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export type RowMapping =
  | { readonly ok: true; readonly message: ImportMessage }
  | { readonly ok: false; readonly reason: Unmappable };

export const unmappable = (field: string, rule: string, message: string): RowMapping => ({
  ok: false,
  reason: { field, rule, message },
});

export type Loose = Record<string, unknown>;

export const asObject = (v: unknown): Loose | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined;

/** A text value of a row: numbers become their decimal text, empty text is no value. */
export const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? (v.length > 0 ? v : undefined) : typeof v === 'number' ? String(v) : undefined;

/** The object without its undefined, null and empty-object fields, so messages stay small. */
export function compact<T extends Loose>(value: T): T {
  const out: Loose = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (asObject(v) && Object.keys(v as Loose).length === 0) continue;
    out[key] = v;
  }
  return out as T;
}
