import { SpateClient } from './client.ts';
import { createHttpTransport } from './http-transport.ts';
import type { DeliveryFailure } from './types.ts';

export interface NodeClientOptions {
  readonly endpoint: string;
  readonly writeKey: string;
  readonly flushAt?: number;
  /** Bytes of JSON one request may carry. @default 500000 */
  readonly maxBatchBytes?: number;
  readonly flushIntervalMs?: number;
  readonly onFailure?: (failure: DeliveryFailure) => void;
  /** Flush when the event loop empties (`beforeExit`). @default true */
  readonly flushOnExit?: boolean;
}

/**
 * A client for servers and scripts. Its idle timer does not hold the process open; when the
 * process has nothing else to do, what is queued is sent before it exits. Call `shutdown()` on
 * SIGTERM in long-running services.
 */
export function createNodeClient(options: NodeClientOptions): SpateClient {
  const client = new SpateClient({
    transport: createHttpTransport({ endpoint: options.endpoint, writeKey: options.writeKey }),
    ...(options.flushAt !== undefined ? { flushAt: options.flushAt } : {}),
    ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
    ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
    unrefTimers: true,
  });
  if (options.flushOnExit ?? true) {
    const onExit = () => {
      if (client.queued > 0) void client.flush();
    };
    process.on('beforeExit', onExit);
  }
  return client;
}
