/**
 * Polls `probe` every 250 ms until it gives a value (a probe that throws counts as not yet),
 * for at most `timeoutMs`; a timeout names `what` and ends with the tail of `log()`, the stack's
 * output, which is where the reason usually is.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  log: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
