import { InputError } from '../errors/spate-error.ts';
import { DIMENSION_RULE, type Dimension, dimensionSql, parseDimension, type SqlPart } from './dimension.ts';

/** `filter=<dimension>:<value>`: only events whose dimension has exactly this value. */
export interface Filter {
  readonly dimension: Dimension;
  readonly value: string;
}

const MAX_FILTERS = 10;
const MAX_VALUE_LENGTH = 1024;

/**
 * Every value of a repeated query parameter, decoded as API Gateway decodes them. Payload 2.0
 * joins a repeated parameter's values with commas in `queryStringParameters`, so `filter=a:x,y`
 * and `filter=a:x&filter=b:y` would read alike there: repeated parameters are read from the raw
 * query string instead.
 */
export function queryValues(rawQueryString: string, name: string): string[] {
  const values: string[] = [];
  for (const pair of rawQueryString.split('&')) {
    const eq = pair.indexOf('=');
    if (decodePart(eq === -1 ? pair : pair.slice(0, eq)) !== name) continue;
    values.push(eq === -1 ? '' : decodePart(pair.slice(eq + 1)));
  }
  return values;
}

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}

/**
 * Filters from outside, all of which an event must pass (AND). The value is everything after
 * the first colon, so values may hold colons (`referrer:` hosts with ports, `page:` paths); an
 * empty value matches events that lack the dimension.
 */
export function parseFilters(raw: readonly string[]): Filter[] {
  if (raw.length > MAX_FILTERS)
    throw new InputError(`filter: at most ${MAX_FILTERS} filters, got ${raw.length}`, {
      code: 'invalid_parameter',
      field: 'filter',
      rule: 'maxItems',
    });
  return raw.map((text) => {
    const colon = text.indexOf(':');
    if (colon === -1)
      throw new InputError(
        `filter: must be <dimension>:<value>, the dimension ${DIMENSION_RULE}; got "${text}"`,
        { code: 'invalid_parameter', field: 'filter', rule: 'format' },
      );
    const value = text.slice(colon + 1);
    if (value.length > MAX_VALUE_LENGTH)
      throw new InputError(`filter: a value may be at most ${MAX_VALUE_LENGTH} characters`, {
        code: 'invalid_parameter',
        field: 'filter',
        rule: 'maxLength',
      });
    return { dimension: parseDimension(text.slice(0, colon), 'filter'), value };
  });
}

/** The filters as SQL conditions on event rows; every value is a query parameter. */
export function filterSql(filters: readonly Filter[]): SqlPart & { readonly conditions: readonly string[] } {
  const conditions: string[] = [];
  const params: Record<string, string | number> = {};
  filters.forEach((f, i) => {
    const dimension = dimensionSql(f.dimension, `filter_${i}_property`);
    conditions.push(`${dimension.sql} = {filter_${i}_value:String}`);
    Object.assign(params, dimension.params, { [`filter_${i}_value`]: f.value });
  });
  return { sql: conditions.join(' AND '), conditions, params };
}

/** A stable text of the filters, for cache keys: the same filters in any order read alike. */
export function filtersKey(filters: readonly Filter[]): string {
  return JSON.stringify(filters.map((f) => [f.dimension.name, f.value]).sort());
}
