import { createHash } from 'node:crypto';

/** The namespace of ids derived from history rows (a fixed, random UUID: changing it changes every id). */
export const HISTORY_ID_NAMESPACE = '6f1d3c8e-2b7a-4c59-9e0f-5a8d2e4b7c13';

/**
 * The event id of a history row that has none: a UUID version 5 (SHA-1, RFC 9562) of the row's
 * content as mapped, with keys in sorted order. It depends on nothing but the content: not the
 * file, its name, the row's line or the run, so importing the same history again, resumed, split
 * into other files or reordered, sends the same ids and every tier counts each row once. Two rows
 * alike in every field (same user, same time to the millisecond, same properties) are one event.
 */
export function rowEventId(content: unknown): string {
  const namespace = Buffer.from(HISTORY_ID_NAMESPACE.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(canonicalJson(content)).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** JSON with object keys sorted at every depth, so equal content has one text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
