/**
 * The Spate fields a history row can fill, by the name `--map <field>=<column>` uses. Without a
 * mapping each is read from the column (CSV) or key path (NDJSON) of its own name, so a file
 * written in Spate's own event form needs none.
 */
export const ROW_FIELDS = [
  'event_id',
  'type',
  'user_id',
  'anonymous_id',
  'session_id',
  'timestamp',
  'page.url',
  'page.path',
  'page.referrer',
  'page.title',
  'product.id',
  'product.name',
  'product.category',
  'product.price',
  'product.currency',
  'order.id',
  'order.revenue',
  'order.currency',
  'order.items',
  'properties',
  'context.user_agent',
  'context.ip',
  'context.locale',
] as const;

export type RowField = (typeof ROW_FIELDS)[number] | `properties.${string}`;

/** Where each field is read from; fields not named read from their own name. */
export type ColumnMap = ReadonlyMap<RowField, string>;

const KNOWN: ReadonlySet<string> = new Set(ROW_FIELDS);

export function isRowField(name: string): name is RowField {
  return KNOWN.has(name) || (name.startsWith('properties.') && name.length > 'properties.'.length);
}

/** `field=column` as given to `--map`; throws naming the rule broken. */
export function parseMapping(spec: string): [RowField, string] {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1)
    throw new Error(`--map takes field=column (e.g. event_id=id), not ${JSON.stringify(spec)}`);
  const field = spec.slice(0, eq).trim();
  const column = spec.slice(eq + 1).trim();
  if (!isRowField(field)) {
    throw new Error(
      `--map ${spec}: ${field} is not a Spate field; use one of ${ROW_FIELDS.join(', ')} or properties.<name>`,
    );
  }
  return [field, column];
}

/** The mappings of repeated `--map` flags; a field mapped twice is an error, not a guess. */
export function columnMap(specs: readonly string[]): ColumnMap {
  const map = new Map<RowField, string>();
  for (const spec of specs) {
    const [field, column] = parseMapping(spec);
    if (map.has(field)) throw new Error(`--map ${field} is given twice`);
    map.set(field, column);
  }
  return map;
}

/** The column or key path a field is read from. */
export function sourceOf(map: ColumnMap, field: RowField): string {
  return map.get(field) ?? field;
}

/** Every column a field reads, so the rest can go to `properties`. */
export function sourcesUsed(map: ColumnMap): ReadonlySet<string> {
  return new Set([...ROW_FIELDS.map((f) => sourceOf(map, f)), ...map.values()]);
}
