import type { CorsOptions } from './types.ts';

const DEFAULT_HEADERS = ['content-type', 'authorization', 'x-api-key', 'x-write-key'];
const DEFAULT_METHODS = ['GET', 'POST', 'OPTIONS'];

export function validateCors(cors: CorsOptions): void {
  if (!Array.isArray(cors.allowOrigins) || cors.allowOrigins.some((o) => typeof o !== 'string' || o === '')) {
    throw new Error('cors.allowOrigins: must be an array of origins (e.g. "http://localhost:5173") or "*"');
  }
  if (cors.maxAgeSeconds !== undefined && (!Number.isInteger(cors.maxAgeSeconds) || cors.maxAgeSeconds < 0)) {
    throw new Error('cors.maxAgeSeconds: must be a non-negative integer');
  }
}

function allowedOrigin(cors: CorsOptions, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  if (cors.allowOrigins.includes('*')) return '*';
  return cors.allowOrigins.includes(origin) ? origin : undefined;
}

/** Headers added to every response for an allowed origin. */
export function corsHeaders(
  cors: CorsOptions | undefined,
  origin: string | undefined,
): Record<string, string> {
  if (cors === undefined) return {};
  const allowed = allowedOrigin(cors, origin);
  if (allowed === undefined) return {};
  return allowed === '*'
    ? { 'access-control-allow-origin': '*' }
    : { 'access-control-allow-origin': allowed, vary: 'origin' };
}

/** The gateway answers preflight requests itself when CORS is configured, as API Gateway does. */
export function preflightHeaders(
  cors: CorsOptions,
  origin: string | undefined,
): Record<string, string> | undefined {
  const base = corsHeaders(cors, origin);
  if (Object.keys(base).length === 0) return undefined;
  return {
    ...base,
    'access-control-allow-methods': (cors.allowMethods ?? DEFAULT_METHODS).join(','),
    'access-control-allow-headers': (cors.allowHeaders ?? DEFAULT_HEADERS).join(','),
    'access-control-max-age': String(cors.maxAgeSeconds ?? 600),
  };
}
