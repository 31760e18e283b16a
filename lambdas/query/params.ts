import { InputError } from '../../core/errors/spate-error.ts';
import { TIMESERIES_METRICS, TOP_DIMENSIONS } from '../../core/push/channels.ts';
import type { TimeRange } from '../../core/query/whole-days.ts';

/** A bad query parameter: answered 400 with the field and the rule. */
export class ParamError extends InputError {
  override readonly name = 'ParamError';

  constructor(message: string, field?: string, rule?: string) {
    super(message, { code: 'invalid_parameter', field, rule });
  }
}

type Query = Readonly<Record<string, string | undefined>>;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_RANGE_MS = 400 * 86_400_000;

export function isoTime(query: Query, field: string, fallbackMs: number): number {
  const raw = query[field];
  if (raw === undefined || raw === '') return fallbackMs;
  if (!ISO.test(raw))
    throw new ParamError(
      `${field}: must be an ISO 8601 time with a zone, like 2025-01-31T12:00:00Z`,
      field,
      'format',
    );
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new ParamError(`${field}: "${raw}" is not a real time`, field, 'format');
  return ms;
}

export type { TimeRange };

/** `from`/`to`, by default the last `defaultSpanMs`; `to` in the future is cut to now. */
export function timeRange(query: Query, nowMs: number, defaultSpanMs: number): TimeRange {
  const toMs = Math.min(isoTime(query, 'to', nowMs), nowMs);
  const fromMs = isoTime(query, 'from', toMs - defaultSpanMs);
  if (fromMs >= toMs) throw new ParamError('from: must be before to (and before now)', 'from', 'order');
  if (toMs - fromMs > MAX_RANGE_MS)
    throw new ParamError('from/to: the range may span at most 400 days', 'from', 'maxRange');
  return { fromMs, toMs };
}

export function oneOf<T extends string>(query: Query, field: string, allowed: readonly T[], fallback?: T): T {
  const raw = query[field];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new ParamError(`${field}: required, one of ${allowed.join(', ')}`, field, 'required');
  }
  if (!(allowed as readonly string[]).includes(raw))
    throw new ParamError(`${field}: must be one of ${allowed.join(', ')}, got "${raw}"`, field, 'enum');
  return raw as T;
}

/** Whole seconds: `90`, or with a unit: `30s`, `5m`, `1h`, `1d`. */
export function seconds(query: Query, field: string, fallback: number, min: number, max: number): number {
  const raw = query[field];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d{1,7})([smhd]?)$/.exec(raw);
  if (!match)
    throw new ParamError(
      `${field}: must be whole seconds or a number with s, m, h or d, got "${raw}"`,
      field,
      'format',
    );
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const value = Number(match[1]) * unit;
  if (value < min || value > max)
    throw new ParamError(`${field}: must be from ${min} s to ${max} s, got ${value} s`, field, 'range');
  return value;
}

export const QUERY_METRICS = [...TIMESERIES_METRICS, 'visitors'] as const;
export { TOP_DIMENSIONS };
