import { type ColumnMap, sourcesUsed } from './column-map.ts';
import type { Loose } from './row-mapping.ts';
import type { RowSource } from './spate-row.ts';

/** Fields the ingest API sets on arrival; an export of Spate events carries them, an import does not. */
const ASSIGNED_ON_ARRIVAL: ReadonlySet<string> = new Set([
  'sent_at',
  'received_at',
  'project',
  'source',
  'timestamp_flag',
]);

/** A CSV row by its header's column names; an empty cell is no value. */
export function csvRowSource(header: readonly string[], values: readonly string[]): RowSource {
  const byColumn = new Map<string, string>();
  header.forEach((column, i) => {
    const value = values[i];
    if (value !== undefined && value !== '' && !byColumn.has(column)) byColumn.set(column, value);
  });
  return {
    get: (column) => byColumn.get(column),
    rest: (map) => {
      const used = sourcesUsed(map);
      const out: Loose = {};
      for (const [column, value] of byColumn) if (!used.has(column)) out[column] = value;
      return out;
    },
  };
}

/**
 * A JSON object by key: a source names a key, or a dotted path into nested objects
 * (`page.url`, `customer.id`) when no key has that very name.
 */
export function objectRowSource(object: Loose): RowSource {
  return {
    get: (source) => valueAt(object, source),
    rest: (map: ColumnMap) => {
      const roots = new Set(
        [...sourcesUsed(map)].map((s) => (Object.hasOwn(object, s) ? s : s.split('.')[0])),
      );
      const out: Loose = {};
      for (const [key, value] of Object.entries(object)) {
        if (!roots.has(key) && !ASSIGNED_ON_ARRIVAL.has(key)) out[key] = value;
      }
      return out;
    },
  };
}

export function valueAt(object: Loose, path: string): unknown {
  if (Object.hasOwn(object, path)) return object[path];
  let at: unknown = object;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, part))
      return undefined;
    at = (at as Loose)[part];
  }
  return at;
}
