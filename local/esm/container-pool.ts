/**
 * Lambda runs each invocation in flight in an execution environment (container) of its own, and
 * a container takes its next invocation only after the last one returned. Handlers rely on that:
 * Powertools' Metrics, for one, buffers what an invocation adds and publishes it when that
 * invocation ends, so two invocations sharing one module would publish each other's metrics
 * (and warn, once per invocation, that there was nothing left to publish).
 *
 * The emulator invokes a mapping for every partition at once, so it keeps a pool per function:
 * an idle container takes the batch, and when every container is busy a new one is started,
 * as Lambda scales out. Containers are kept for later batches, as Lambda keeps them warm.
 */
export type Invoke<E, C, R> = (event: E, context: C) => Promise<R>;

export interface ContainerPool<E, C, R> {
  readonly invoke: Invoke<E, C, R>;
  /** How many containers have been started so far. */
  size(): number;
}

/**
 * `start(n)` starts container number n (from 0) and resolves to its handler; `first` is a
 * container already started (the emulator loads one at start-up to check the module).
 */
export function containerPool<E, C, R>(
  start: (n: number) => Promise<Invoke<E, C, R>>,
  first?: Invoke<E, C, R>,
): ContainerPool<E, C, R> {
  const idle: Invoke<E, C, R>[] = first ? [first] : [];
  let started = first ? 1 : 0;
  const invoke: Invoke<E, C, R> = async (event, context) => {
    const container = idle.pop() ?? (await start(started++));
    try {
      return await container(event, context);
    } finally {
      idle.push(container);
    }
  };
  return { invoke, size: () => started };
}
