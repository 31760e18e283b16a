import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../errors/spate-error.ts';

/**
 * Dashboard tokens: signed, expiring and scoped to one project, so a dashboard link can be
 * handed to a marketing lead without handing over a write key. Format:
 * base64url(JSON claims) "." base64url(HMAC-SHA256(claims part)).
 */
export interface DashboardClaims {
  readonly project: string;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

/** A dashboard token that is missing, malformed, forged or expired: 401. */
export class DashboardTokenError extends AuthError {
  override readonly name = 'DashboardTokenError';

  constructor(message: string) {
    super(message, { status: 401 });
  }
}

function sign(part: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(part).digest();
}

export function signDashboardToken(claims: DashboardClaims, secret: string): string {
  const part = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${part}.${sign(part, secret).toString('base64url')}`;
}

export function verifyDashboardToken(
  token: string | undefined,
  secret: string,
  nowMs = Date.now(),
): DashboardClaims {
  if (!token) throw new DashboardTokenError('token: required');
  const [part, signature, extra] = token.split('.');
  if (!part || !signature || extra !== undefined) {
    throw new DashboardTokenError('token: must be two base64url parts joined by "."');
  }
  const expected = sign(part, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DashboardTokenError('token: signature does not match');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new DashboardTokenError('token: claims are not JSON');
  }
  const { project, exp } = (claims ?? {}) as Partial<DashboardClaims>;
  if (typeof project !== 'string' || project === '') throw new DashboardTokenError('token.project: required');
  if (typeof exp !== 'number') throw new DashboardTokenError('token.exp: must be a number');
  if (exp * 1000 <= nowMs) throw new DashboardTokenError('token.exp: expired');
  return { project, exp };
}
