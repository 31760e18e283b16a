import { SEGMENT_TYPES } from '../segment/segment-message.ts';
import type { ColumnMap } from './column-map.ts';
import { mapPosthogRow, posthogCsvObject } from './posthog-row.ts';
import { asObject, type RowMapping, unmappable } from './row-mapping.ts';
import { csvRowSource, objectRowSource } from './row-source.ts';
import { mapSegmentExportRow } from './segment-export-row.ts';
import { mapSpateRow } from './spate-row.ts';

/**
 * What a history file holds: `csv` and `ndjson` are Spate's event fields (through `--map`),
 * `segment` Segment's messages, `posthog` PostHog's events (as NDJSON or CSV).
 */
export const HISTORY_FORMATS = ['csv', 'ndjson', 'segment', 'posthog'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** How a file splits into rows: lines of JSON, or CSV records under a header. */
export type FileShape = 'csv' | 'ndjson';

/** One row as read: a JSON line's text, or a CSV record's values. */
export type HistoryRecord =
  | { readonly shape: 'ndjson'; readonly text: string }
  | { readonly shape: 'csv'; readonly header: readonly string[]; readonly values: readonly string[] };

const SEGMENT_TYPE_NAMES: ReadonlySet<unknown> = new Set(SEGMENT_TYPES);

/** The shape of a file from its first bytes: a JSON object first means NDJSON. */
export function fileShape(head: string): FileShape {
  return head
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('{')
    ? 'ndjson'
    : 'csv';
}

/**
 * The format of a file from its first row: PostHog's events have `distinct_id`, Segment's messages
 * a Segment `type` and camelCase ids; anything else is Spate's fields.
 */
export function guessFormat(head: string): HistoryFormat {
  const text = head.replace(/^\uFEFF/, '');
  if (fileShape(text) === 'csv') {
    const header = (text.split(/\r?\n/, 1)[0] ?? '')
      .split(/[,;\t]/)
      .map((c) => c.trim().replace(/^"|"$/g, ''));
    const names = new Set(header.map((c) => (c.startsWith('*.') ? c.slice(2) : c)));
    return names.has('distinct_id') && names.has('event') ? 'posthog' : 'csv';
  }
  const firstLine = text.trimStart().split('\n', 1)[0] ?? '';
  let first: Record<string, unknown> | undefined;
  try {
    first = asObject(JSON.parse(firstLine));
  } catch {
    return 'ndjson';
  }
  if (first === undefined) return 'ndjson';
  if ('distinct_id' in first && 'event' in first) return 'posthog';
  const segmentIds = 'messageId' in first || 'userId' in first || 'anonymousId' in first;
  return SEGMENT_TYPE_NAMES.has(first.type) && segmentIds ? 'segment' : 'ndjson';
}

/** One row of a file in `format` as the message `/v1/import` takes, or why it cannot be one. */
export function mapHistoryRecord(format: HistoryFormat, record: HistoryRecord, map: ColumnMap): RowMapping {
  if (record.shape === 'csv') {
    if (format === 'posthog') return mapPosthogRow(posthogCsvObject(record.header, record.values));
    if (format === 'segment' || format === 'ndjson')
      return unmappable('$', 'format', `${format} files are JSON lines, not CSV`);
    return mapSpateRow(csvRowSource(record.header, record.values), map);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.text);
  } catch (err) {
    return unmappable('$', 'json', `not JSON: ${(err as Error).message}`);
  }
  const object = asObject(parsed);
  if (object === undefined) return unmappable('$', 'type', 'a line must hold one JSON object');
  if (format === 'segment') return mapSegmentExportRow(object);
  if (format === 'posthog') return mapPosthogRow(object);
  return mapSpateRow(objectRowSource(object), map);
}
