import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { forEachBounded } from '../../core/push/bounded.ts';

export interface FanOutReport {
  readonly sent: number;
  /** Connections that were gone; each was removed from the registry. */
  readonly gone: number;
  /** Any other failure, counted and kept (first few) for the log. */
  readonly failed: number;
  readonly errors: readonly string[];
}

export interface FanOutOptions {
  readonly endpoint: string;
  readonly region: string;
  readonly concurrency: number;
  /** Called for each connection API Gateway no longer knows. */
  readonly onGone: (connectionId: string) => Promise<void>;
}

const KEPT_ERRORS = 5;

/** Local endpoints do not check signatures, but the SDK still wants credentials to sign with. */
function clientFor(endpoint: string, region: string): ApiGatewayManagementApiClient {
  const local = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(endpoint);
  return new ApiGatewayManagementApiClient({
    endpoint,
    region,
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

/**
 * Sends one frame's bytes to many connections through @connections with bounded concurrency.
 * A GoneException removes that connection only; other errors are counted, not swallowed.
 */
export class FanOut {
  readonly #client: ApiGatewayManagementApiClient;
  readonly #options: FanOutOptions;

  constructor(options: FanOutOptions) {
    this.#options = options;
    this.#client = clientFor(options.endpoint, options.region);
  }

  async send(data: Uint8Array, connectionIds: readonly string[]): Promise<FanOutReport> {
    let sent = 0;
    let gone = 0;
    let failed = 0;
    const errors: string[] = [];
    await forEachBounded(connectionIds, this.#options.concurrency, async (ConnectionId) => {
      try {
        await this.#client.send(new PostToConnectionCommand({ ConnectionId, Data: data }));
        sent++;
      } catch (err) {
        if (err instanceof GoneException || (err as { name?: string }).name === 'GoneException') {
          gone++;
          await this.#options.onGone(ConnectionId).catch((removeErr: unknown) => {
            failed++;
            if (errors.length < KEPT_ERRORS) errors.push(`remove ${ConnectionId}: ${String(removeErr)}`);
          });
          return;
        }
        failed++;
        if (errors.length < KEPT_ERRORS)
          errors.push(`${ConnectionId}: ${(err as Error).name}: ${(err as Error).message}`);
      }
    });
    return { sent, gone, failed, errors };
  }

  destroy(): void {
    this.#client.destroy();
  }
}
