import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { OriginPolicy } from '../../core/limits/origin-policy.ts';
import { refusal } from './responses.ts';

// What Segment's and Spate's browser clients send: analytics.js adds Basic auth and
// X-Retry-Count to its text/plain posts, the SDK a Bearer key.
const ALLOWED_HEADERS = 'authorization,content-type,content-encoding,x-api-key,x-retry-count';
// Chromium holds a preflight at most two hours, whatever a longer value says.
const PREFLIGHT_MAX_AGE_S = '7200';

/**
 * The answer to a preflight. It carries no write key, so it is allowed when any project allows
 * the origin; the POST that follows is held to its own project's list.
 */
export function preflight(
  policy: OriginPolicy,
  origin: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  if (origin === undefined || !policy.allowsAnyProject(origin)) {
    return refusal(
      403,
      'origin_not_allowed',
      `origin ${origin ?? '(none)'} may not post events: list it for the project in SPATE_CORS_ORIGINS`,
    );
  }
  return {
    statusCode: 204,
    headers: {
      ...allowOrigin(origin),
      'access-control-allow-methods': 'POST,OPTIONS',
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': PREFLIGHT_MAX_AGE_S,
    },
  };
}

/**
 * The response with the CORS headers its origin earns: for a known project its own list, before
 * the project is known (a bad key, a malformed body) any project's, so the page can read why.
 */
export function withCors(
  response: APIGatewayProxyStructuredResultV2,
  policy: OriginPolicy,
  origin: string | undefined,
  project: string | undefined,
): APIGatewayProxyStructuredResultV2 {
  if (origin === undefined) return response;
  const allowed = project === undefined ? policy.allowsAnyProject(origin) : policy.allows(project, origin);
  if (!allowed) return response;
  return { ...response, headers: { ...response.headers, ...allowOrigin(origin) } };
}

// The origin is echoed rather than `*` even for a project that allows any origin, so a page that
// sends credentials is answered too; `vary` keeps caches from serving one origin's answer to another.
function allowOrigin(origin: string): Record<string, string> {
  return { 'access-control-allow-origin': origin, vary: 'origin' };
}
