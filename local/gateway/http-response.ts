import { SpateError } from '../../core/errors/spate-error.ts';

/** A response ready to write: header values may repeat (set-cookie, multi-value headers). */
export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** A function's answer that API Gateway could not map: the caller gets 500, the log says why. */
export class InvalidIntegrationResponse extends SpateError {
  override readonly name = 'InvalidIntegrationResponse';

  constructor(message: string) {
    super(500, message, { code: 'invalid_integration_response' });
  }
}

function isStructured(result: unknown): result is Record<string, unknown> {
  return typeof result === 'object' && result !== null && !Array.isArray(result) && 'statusCode' in result;
}

function appendHeader(headers: Record<string, string | string[]>, name: string, value: string): void {
  const key = name.toLowerCase();
  const existing = headers[key];
  if (existing === undefined) headers[key] = value;
  else headers[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
}

export function jsonResponse(
  statusCode: number,
  payload: unknown,
  extra: Record<string, string> = {},
): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...extra },
    body: Buffer.from(JSON.stringify(payload)),
  };
}

/**
 * Maps a handler's result by payload format 2.0 rules: an object with `statusCode` is taken
 * field by field; anything else is a 200 whose body is the string itself or the value as JSON.
 * Throws InvalidIntegrationResponse for a structured result API Gateway would reject (500).
 */
export function mapHttpResult(result: unknown): GatewayResponse {
  if (!isStructured(result)) {
    const body = result === undefined ? '' : typeof result === 'string' ? result : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const { statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    throw new InvalidIntegrationResponse(
      `statusCode must be an integer from 100 to 599, got ${JSON.stringify(statusCode)}`,
    );
  }
  const out: Record<string, string | string[]> = {};
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') throw new InvalidIntegrationResponse('headers must be an object');
    for (const [name, value] of Object.entries(headers)) appendHeader(out, name, String(value));
  }
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (typeof multiValueHeaders !== 'object')
      throw new InvalidIntegrationResponse('multiValueHeaders must be an object');
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values))
        throw new InvalidIntegrationResponse(`multiValueHeaders.${name} must be an array`);
      for (const value of values) appendHeader(out, name, String(value));
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies)) throw new InvalidIntegrationResponse('cookies must be an array of strings');
    for (const cookie of cookies) appendHeader(out, 'set-cookie', String(cookie));
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new InvalidIntegrationResponse('body must be a string');
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: out,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text),
  };
}
