import { InputError } from '../errors/spate-error.ts';

/**
 * What an answer can be broken down or filtered by: where a visit came from (attribution), what
 * it ran on (user agent), where (geo), which page, and a custom property (`prop.<name>`). Each
 * fixed dimension is a column of the same name in the rows a warm or cold scan reads
 * (io/clickhouse/event-rows.ts), so the name chosen by a caller is only ever matched against
 * this list, never written into SQL as sent.
 */
export const FIXED_DIMENSIONS = [
  'type',
  'source',
  'medium',
  'campaign',
  'referrer',
  'device',
  'browser',
  'os',
  'country',
  'page',
] as const;
export type FixedDimension = (typeof FIXED_DIMENSIONS)[number];

export type Dimension =
  | { readonly kind: 'fixed'; readonly name: FixedDimension }
  | { readonly kind: 'property'; readonly name: `prop.${string}`; readonly property: string };

const PROPERTY_PREFIX = 'prop.';
/**
 * A custom property is named by a top-level key of the event's `properties`: letters, digits,
 * `_`, `-` and `$` (PostHog's `$` properties), at most 64. No dot: `prop.a.b` would read as a
 * path into nested objects, which the stores do not index; no colon: it ends a filter's name.
 */
const PROPERTY_NAME = /^[A-Za-z0-9_$-]{1,64}$/;

export const DIMENSION_RULE = `one of ${FIXED_DIMENSIONS.join(', ')} or prop.<name> (a custom property: letters, digits, _, - or $, at most 64)`;

/** A dimension from outside; `field` names the parameter in the error. */
export function parseDimension(raw: string | undefined, field: string): Dimension {
  if (raw === undefined || raw === '')
    throw new InputError(`${field}: required, ${DIMENSION_RULE}`, {
      code: 'invalid_parameter',
      field,
      rule: 'required',
    });
  if ((FIXED_DIMENSIONS as readonly string[]).includes(raw))
    return { kind: 'fixed', name: raw as FixedDimension };
  if (raw.startsWith(PROPERTY_PREFIX)) {
    const property = raw.slice(PROPERTY_PREFIX.length);
    if (!PROPERTY_NAME.test(property))
      throw new InputError(
        `${field}: "${raw}" is not a property name: after prop. come 1-64 letters, digits, _, - or $`,
        { code: 'invalid_parameter', field, rule: 'pattern' },
      );
    return { kind: 'property', name: `prop.${property}`, property };
  }
  throw new InputError(`${field}: must be ${DIMENSION_RULE}, got "${raw}"`, {
    code: 'invalid_parameter',
    field,
    rule: 'enum',
  });
}

/** A SQL fragment with the query parameters it names. */
export interface SqlPart {
  readonly sql: string;
  readonly params: Readonly<Record<string, string | number>>;
}

/**
 * The dimension's value in a row of event rows as SQL. A property's name travels as a query
 * parameter (`param`); its value reads as text: a string as itself, a number or boolean as its
 * JSON text (`42`, `true`), an object as its JSON, a missing one as ''.
 */
export function dimensionSql(dimension: Dimension, param: string): SqlPart {
  if (dimension.kind === 'fixed') return { sql: `\`${dimension.name}\``, params: {} };
  const key = `{${param}:String}`;
  return {
    sql: `if(JSONType(properties, ${key}) = 'String', JSONExtractString(properties, ${key}), JSONExtractRaw(properties, ${key}))`,
    params: { [param]: dimension.property },
  };
}
