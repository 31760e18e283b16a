/**
 * Spate's one error base. Every error the project throws on purpose says how a caller is answered:
 * the HTTP status, a short code clients branch on (`error` in the answer), and, for input, the
 * field and the rule it broke. The functions' one error middleware (lambdas/error-answers.ts)
 * turns it into that answer; anything that is not a SpateError is a fault of ours and is answered
 * 500 without its message.
 */
export interface SpateErrorDetails {
  /** The answer's `error`: a short, stable code (`rate_limited`, `maxBodyBytes`). */
  readonly code?: string;
  /** Dotted path of the offending input (`from`, `product.price`, `tweet.id`). */
  readonly field?: string;
  /** The rule it broke: a JSON Schema keyword (`format`, `enum`, `required`) or a limit's name. */
  readonly rule?: string;
  /** Seconds a client should wait before it tries again (the `Retry-After` header). */
  readonly retryAfterS?: number;
  readonly cause?: unknown;
}

export class SpateError extends Error {
  // Names are spelled out: bundles are minified, and a class's own name would not survive.
  override readonly name: string = 'SpateError';
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly rule: string | undefined;
  readonly retryAfterS: number | undefined;

  constructor(status: number, message: string, details: SpateErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = status;
    this.code = details.code ?? defaultCode(status);
    this.field = details.field;
    this.rule = details.rule;
    this.retryAfterS = details.retryAfterS;
  }

  /**
   * Whether the message may reach the caller. A refusal of the caller's request (4xx) and a
   * dependency that is down (503) say why; a fault of ours (other 5xx) says nothing of it.
   */
  get exposed(): boolean {
    return this.status < 500 || this.status === 503;
  }
}

function defaultCode(status: number): string {
  return (
    {
      400: 'invalid_input',
      401: 'unauthorized',
      403: 'forbidden',
      404: 'not_found',
      409: 'conflict',
      413: 'too_large',
      415: 'unsupported_media_type',
      422: 'invalid_input',
      429: 'rate_limited',
      503: 'unavailable',
    }[status] ?? 'internal'
  );
}

type Omitted<K extends keyof SpateErrorDetails> = Omit<SpateErrorDetails, K>;

/** Input that breaks a rule: 400, or 413 (too large), 415 (media type), 422 (well-formed but refused). */
export class InputError extends SpateError {
  override readonly name: string = 'InputError';
  constructor(
    message: string,
    details: SpateErrorDetails & { readonly status?: 400 | 413 | 415 | 422 } = {},
  ) {
    super(details.status ?? 400, message, details);
  }
}

/** No valid credential (401), or one that may not do this (403). */
export class AuthError extends SpateError {
  override readonly name: string = 'AuthError';
  constructor(message: string, details: Omitted<'retryAfterS'> & { readonly status?: 401 | 403 } = {}) {
    super(details.status ?? 401, message, details);
  }
}

/** Nothing answers to this name (404). */
export class NotFoundError extends SpateError {
  override readonly name: string = 'NotFoundError';
  constructor(message: string, details: Omitted<'retryAfterS'> = {}) {
    super(404, message, details);
  }
}

/** Someone else holds what this needs, or moved it meanwhile (409): trying again later may succeed. */
export class ConflictError extends SpateError {
  override readonly name: string = 'ConflictError';
  constructor(message: string, details: SpateErrorDetails = {}) {
    super(409, message, details);
  }
}

/** Too much from one caller (429): answered with Retry-After. */
export class ThrottledError extends SpateError {
  override readonly name: string = 'ThrottledError';
  constructor(message: string, details: SpateErrorDetails & { readonly retryAfterS: number }) {
    super(429, message, details);
  }
}

/** A dependency (Kafka, Redis, ClickHouse, S3, a local program) is not answering (503). */
export class UnavailableError extends SpateError {
  override readonly name: string = 'UnavailableError';
  constructor(message: string, details: SpateErrorDetails = {}) {
    super(503, message, details);
  }
}

/**
 * The deployment or the process is set up wrong (an environment variable, a flag, a secret):
 * 500 to a caller, who can do nothing about it; the message is for the operator's log.
 */
export class MisconfiguredError extends SpateError {
  override readonly name: string = 'MisconfiguredError';
  constructor(message: string, details: Omitted<'retryAfterS'> = {}) {
    super(500, message, { code: 'misconfigured', ...details });
  }
}
