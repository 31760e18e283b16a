/**
 * Nesting depth of a JSON value: a scalar is 0, `{a: 1}` is 1, `{a: {b: 1}}` is 2. Stops
 * descending once `limit` is passed, so a hostile deep value costs no more than the limit.
 */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const child of children) {
    const d = jsonDepth(child, limit - 1);
    if (d > deepest) deepest = d;
    if (deepest >= limit) break;
  }
  return deepest + 1;
}
