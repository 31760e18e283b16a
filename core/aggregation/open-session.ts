/**
 * A session the hot tier is still following: the minute it started in (which its figures are
 * counted under, whatever comes later), its first and last event times and its page views.
 */
export interface OpenSession {
  readonly startMinute: number;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly pageViews: number;
}

export function encodeOpenSession(s: OpenSession): string {
  return `${s.startMinute},${s.firstMs},${s.lastMs},${s.pageViews}`;
}

/** The stored text as a session; anything else (absent, another format) as none. */
export function decodeOpenSession(text: string | null | undefined): OpenSession | null {
  if (!text) return null;
  const parts = text.split(',').map(Number);
  if (parts.length !== 4 || !parts.every(Number.isSafeInteger)) return null;
  const [startMinute, firstMs, lastMs, pageViews] = parts as [number, number, number, number];
  return { startMinute, firstMs, lastMs, pageViews };
}
