/**
 * Restart delay after the n-th consecutive crash: doubles from `baseMs` up to `maxMs`, so a
 * component that cannot start does not spin, yet one that crashed once is back at once.
 */
export function restartDelayMs(consecutiveCrashes: number, baseMs = 250, maxMs = 15_000): number {
  const exponent = Math.max(0, consecutiveCrashes - 1);
  return Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 20));
}

/** A component that stayed up this long is considered stable: its crash count starts over. */
export const STABLE_AFTER_MS = 30_000;
