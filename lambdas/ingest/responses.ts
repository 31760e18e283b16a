import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Clamp } from '../../core/events/import-time.ts';
import type { Rejection } from '../../core/events/ingest-error.ts';
import { answerOf, errorResponse } from '../error-answers.ts';

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * A refused request: `error` is the code or limit that was hit, so clients can branch on it. Written
 * as every function writes its error answers (lambdas/error-answers.ts).
 */
export function refusal(statusCode: number, error: string, message: string, retryAfterS?: number) {
  return errorResponse({
    status: statusCode,
    error,
    message,
    ...(retryAfterS !== undefined ? { retryAfterS } : {}),
  });
}

/** The answer to a refusal thrown as an error (a SpateError: IngestError, AuthError, ...). */
export function refusalOf(err: unknown): APIGatewayProxyStructuredResultV2 {
  return errorResponse(answerOf(err));
}

/**
 * The answer to a written request. Everything counted here is durably in Kafka: accepted events on
 * their topic, rejected ones on events.dlq. 200 when all were accepted, 207 when some were not,
 * 400 when none were (a client must not retry those unchanged). `clamped` lists accepted events
 * whose time was changed, so no change goes unsaid; it is absent when there is none.
 */
export function ingestResult(
  accepted: number,
  rejections: readonly Rejection[],
  segment: boolean,
  clamped: readonly Clamp[] = [],
) {
  const statusCode = rejections.length === 0 ? 200 : accepted > 0 ? 207 : 400;
  return json(statusCode, {
    ...(segment ? { success: accepted > 0 } : {}),
    accepted,
    rejected: rejections.length,
    errors: rejections,
    ...(clamped.length > 0 ? { clamped } : {}),
  });
}
