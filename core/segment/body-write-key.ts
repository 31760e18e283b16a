/**
 * The write key a Segment body carries: analytics.js puts it in the JSON (`writeKey`) because a
 * text/plain request with no custom header skips the CORS preflight; mobile batches carry it too.
 */
export function writeKeyFromBody(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const key = (body as { writeKey?: unknown }).writeKey;
  return typeof key === 'string' && key.trim() !== '' ? key.trim() : undefined;
}
