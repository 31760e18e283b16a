import type { Handler } from 'aws-lambda';
import { createLambdaContext } from '../lambda/context.ts';

export type Invocation<R> =
  | { readonly kind: 'ok'; readonly result: R }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'timeout' };

/**
 * Calls a handler the way API Gateway's Lambda integration does: with a fresh Lambda context
 * and a deadline, after which the caller gets its answer even if the handler keeps running.
 */
export async function invokeHandler<E, R>(
  handler: Handler<E, R>,
  event: E,
  functionName: string,
  timeoutMs: number,
): Promise<Invocation<R>> {
  const context = createLambdaContext(functionName, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Invocation<R>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  // Handlers may return a promise or, in the older style, answer through the callback.
  const run = new Promise<R>((resolve, reject) => {
    const callback = (error?: unknown, result?: R) => (error ? reject(error) : resolve(result as R));
    const returned = handler(event, context, callback);
    if (returned !== undefined && typeof (returned as Promise<R>).then === 'function') {
      (returned as Promise<R>).then(resolve, reject);
    } else if (returned !== undefined) {
      resolve(returned as R);
    }
  }).then(
    (result): Invocation<R> => ({ kind: 'ok', result }),
    (error: unknown): Invocation<R> => ({ kind: 'error', error }),
  );
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
