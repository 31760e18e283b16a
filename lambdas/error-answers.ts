import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SpateError } from '../core/errors/spate-error.ts';

/** What a caller is told when its request is not served. */
export interface ErrorAnswer {
  readonly status: number;
  /** A short, stable code clients branch on (`rate_limited`, `maxBodyBytes`, `internal`). */
  readonly error: string;
  readonly message: string;
  readonly field?: string;
  readonly rule?: string;
  /** Sent as `Retry-After`. */
  readonly retryAfterS?: number;
}

/** How one API writes its error answers; every API shares the rest of the rules. */
export interface ErrorAnswerStyle {
  /** Headers on every error answer. @default JSON's content-type */
  readonly headers?: Readonly<Record<string, string>>;
  /** The answer's body. @default JSON `{ error, message, field, rule }`, absent ones left out */
  readonly body?: (answer: ErrorAnswer) => string;
  /** All a caller learns of a fault of ours; the fault itself goes to the log. @default 'internal error' */
  readonly internalMessage?: string;
}

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

export const jsonErrorBody = (answer: ErrorAnswer): string =>
  JSON.stringify({ error: answer.error, message: answer.message, field: answer.field, rule: answer.rule });

/**
 * The answer to an error: a SpateError that may be told says its own status, code, field, rule and
 * Retry-After; anything else (a bug, a driver's exception, a setting gone wrong) is a 500 that
 * names nothing inside, so no host name, query or stack reaches a caller.
 */
export function answerOf(err: unknown, internalMessage = 'internal error'): ErrorAnswer {
  if (err instanceof SpateError && err.exposed)
    return {
      status: err.status,
      error: err.code,
      message: err.message,
      ...(err.field !== undefined ? { field: err.field } : {}),
      ...(err.rule !== undefined ? { rule: err.rule } : {}),
      ...(err.retryAfterS !== undefined ? { retryAfterS: err.retryAfterS } : {}),
    };
  return { status: 500, error: 'internal', message: internalMessage };
}

export function errorResponse(
  answer: ErrorAnswer,
  style: ErrorAnswerStyle = {},
): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...(style.headers ?? JSON_HEADERS) };
  if (answer.retryAfterS !== undefined) headers['retry-after'] = String(answer.retryAfterS);
  return { statusCode: answer.status, headers, body: (style.body ?? jsonErrorBody)(answer) };
}

/**
 * The one error middleware of the HTTP and WebSocket functions: whatever the function threw
 * becomes its answer (answerOf), and what the caller is not told is logged. Refusals of the
 * caller's own request (4xx) are answers, not failures, and are not logged.
 */
export function errorAnswers(logger: Logger, style: ErrorAnswerStyle = {}): MiddlewareObj {
  return {
    name: 'errorAnswers',
    onError: (request) => {
      if (request.response !== undefined && request.response !== null) return;
      const answer = answerOf(request.error, style.internalMessage);
      if (answer.status === 500) logger.error('answered 500', { error: request.error as Error });
      else if (answer.status >= 500) logger.warn(`answered ${answer.status}`, { reason: answer.message });
      request.response = errorResponse(answer, style);
    },
  };
}
