/**
 * Waits `ms`, sending group heartbeats along the way so a long batching window or backoff
 * does not cost the partition its assignment. Resolves false if `signal` aborts first.
 */
export async function pauseWithHeartbeat(
  ms: number,
  signal: AbortSignal,
  heartbeat: () => Promise<void>,
  heartbeatEveryMs = 3_000,
): Promise<boolean> {
  let left = ms;
  while (left > 0) {
    if (signal.aborted) return false;
    const step = Math.min(left, heartbeatEveryMs);
    if (!(await sleep(step, signal))) return false;
    left -= step;
    if (left > 0) await heartbeat().catch(() => undefined);
  }
  return !signal.aborted;
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `work` while heartbeating every `everyMs`, so a slow handler keeps its partitions. */
export async function withHeartbeat<T>(
  work: () => Promise<T>,
  heartbeat: () => Promise<void>,
  everyMs = 3_000,
): Promise<T> {
  const timer = setInterval(() => {
    heartbeat().catch(() => undefined);
  }, everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Rejects with Lambda's own timeout message once `timeoutMs` passes. The handler cannot be
 * killed in-process and may still finish; the sinks are idempotent, so a retry is safe.
 */
export async function withDeadline<T>(work: () => Promise<T> | T, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
