import type { DeliveryFailure, SdkEvent } from './types.ts';

interface Rejection {
  readonly index: number;
  readonly field?: string;
  readonly rule?: string;
  readonly message?: string;
}

/**
 * The events of a batch the server named as rejected (`errors: [{index, field, rule, message}]`
 * in a 207 or 400 answer), one failure each, so a client counts exactly what was lost and why.
 * Empty when the answer names none.
 */
export function namedRejections(
  batch: readonly SdkEvent[],
  status: number,
  body: unknown,
): DeliveryFailure[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error: Rejection) => {
    const event = Number.isInteger(error?.index) ? batch[error.index] : undefined;
    if (!event) return [];
    const reason = [error.field, error.rule].filter(Boolean).join(' ') || 'rejected';
    return [{ events: [event], status, reason: error.message ? `${reason}: ${error.message}` : reason }];
  });
}
