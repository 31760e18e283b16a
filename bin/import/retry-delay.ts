/** Longest wait between tries of one request, whatever a server asks for. */
export const MAX_RETRY_DELAY_MS = 5 * 60_000;
const FIRST_DELAY_MS = 250;
const MAX_BACKOFF_MS = 30_000;

/**
 * How long to wait before try `attempt + 1` of a request: what the server's `Retry-After` asks
 * (seconds or an HTTP date, measured from `nowMs`), else exponential backoff from 250 ms to 30 s
 * with jitter, so that several importers do not retry in step.
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | null | undefined,
  nowMs: number,
  random: () => number = Math.random,
): number {
  const asked = retryAfterMs(retryAfter, nowMs);
  if (asked !== undefined) return Math.min(asked, MAX_RETRY_DELAY_MS);
  const backoff = Math.min(MAX_BACKOFF_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(backoff * (0.5 + random() / 2));
}

export function retryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
