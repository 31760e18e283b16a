import { SpateError } from '../errors/spate-error.ts';

/**
 * A request-level refusal: the whole request is answered with `status` and nothing is written.
 * `code` names the rule or limit that was crossed, so clients can tell them apart.
 */
export class IngestError extends SpateError {
  override readonly name = 'IngestError';

  constructor(status: number, code: string, message: string, retryAfterS?: number) {
    super(status, message, { code, retryAfterS });
  }
}

/** Why one event of a batch was not accepted; the event itself goes to events.dlq. */
export interface Rejection {
  readonly index: number;
  /** Dotted path of the offending field (`product.price`), or `$` for the event as a whole. */
  readonly field: string;
  /** The rule: a JSON Schema keyword (`required`, `format`, `maximum`) or an ingest limit (`maxEventBytes`). */
  readonly rule: string;
  readonly message: string;
}
