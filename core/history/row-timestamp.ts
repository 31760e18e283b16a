/** A row's time in canonical UTC form, or why it is not one. */
export type RowTime =
  | { readonly ok: true; readonly timestamp: string }
  | { readonly ok: false; readonly message: string };

// Date and time with `T` or a space between them; seconds, fractions and a zone optional.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH = /^-?\d+(?:\.\d+)?$/;
// Below this an epoch number is read as seconds (1e11 s is the year 5138; 1e11 ms is 1973).
const SECONDS_BELOW = 1e11;

/**
 * The time of a history row. Accepted: ISO 8601 / RFC 3339 (`2016-03-01T10:15:00Z`,
 * `+02:00` offsets), the same with a space for `T` (PostHog and SQL exports), any number of
 * fraction digits, and Unix epoch seconds or milliseconds (as a number or as digits). A time
 * without a zone is UTC: exports write UTC, and the importing machine's own zone says nothing
 * about the file, so it never decides.
 */
export function rowTimestamp(value: unknown): RowTime {
  if (typeof value === 'number') return fromEpoch(value, String(value));
  if (typeof value !== 'string')
    return { ok: false, message: 'timestamp must be a date-time text or an epoch number' };
  const raw = value.trim();
  if (EPOCH.test(raw)) return fromEpoch(Number(raw), raw);
  const m = ISO.exec(raw);
  if (!m) return notATime(raw);
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone] = m;
  const ms = fraction.padEnd(3, '0').slice(0, 3);
  const offset = zoneOffset(zone);
  const text = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${offset}`;
  const time = Date.parse(text);
  if (Number.isNaN(time)) return notATime(raw);
  // Date.parse rolls 2016-02-30 over into March; a date that changes on the way is not a date.
  const wall = new Date(time + offsetMs(offset));
  if (wall.getUTCDate() !== Number(d) || wall.getUTCMonth() + 1 !== Number(mo)) return notATime(raw);
  return { ok: true, timestamp: new Date(time).toISOString() };
}

function fromEpoch(n: number, raw: string): RowTime {
  if (!Number.isFinite(n)) return notATime(raw);
  const ms = Math.abs(n) < SECONDS_BELOW ? n * 1000 : n;
  const date = new Date(Math.round(ms));
  if (Number.isNaN(date.getTime())) return notATime(raw);
  return { ok: true, timestamp: date.toISOString() };
}

function zoneOffset(zone: string | undefined): string {
  if (zone === undefined || zone === 'Z' || zone === 'z' || zone === 'UTC') return 'Z';
  const digits = zone.replace(':', '');
  return `${digits.slice(0, 3)}:${digits.slice(3, 5) || '00'}`;
}

function offsetMs(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
}

function notATime(raw: string): RowTime {
  return { ok: false, message: `timestamp ${JSON.stringify(raw.slice(0, 64))} is not a date-time` };
}
