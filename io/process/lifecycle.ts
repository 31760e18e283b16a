/**
 * How a long-running process (a component of `spate local`, the NLP worker in its container)
 * talks to whatever started it: it announces readiness with one JSON line on stdout, and it
 * stops on SIGINT/SIGTERM (ECS stops a task with SIGTERM) or when the supervisor's IPC
 * channel closes (the supervisor died), so no component outlives `spate local`.
 */
export interface ReadyAnnouncement {
  readonly port: number;
  readonly [detail: string]: unknown;
}

export function announceReady(info: ReadyAnnouncement): void {
  process.stdout.write(`${JSON.stringify({ event: 'ready', ...info })}\n`);
}

/** Runs `stop` once on the first shutdown signal, then exits. */
export function onShutdown(stop: () => Promise<void> | void): void {
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    Promise.resolve()
      .then(stop)
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`shutdown after ${reason} failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  if (process.connected) process.once('disconnect', () => shutdown('supervisor gone'));
}
