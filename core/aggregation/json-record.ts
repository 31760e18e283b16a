/**
 * A Kafka record value as a JSON object, or the reason it is not one: the first check of every
 * decoder of the tiers, so a foreign or corrupt record is counted and passed over, never thrown.
 */
export function parseJsonRecord(
  text: string,
):
  | { readonly ok: true; readonly record: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'value: not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, reason: 'value: must be a JSON object' };
  return { ok: true, record: value as Record<string, unknown> };
}
