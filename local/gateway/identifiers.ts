import { randomBytes } from 'node:crypto';

/**
 * Identifiers in the shape API Gateway uses (16 base64 characters ending in one `=`, like
 * `JKJaXmPLvHcESHA=`), so code that logs, stores or parses them sees nothing unusual locally.
 * The URL-safe alphabet keeps ids usable in paths; the `=` still needs URL-encoding, as on AWS.
 */
function apiGatewayId(): string {
  return randomBytes(11).toString('base64').replace(/\//g, '_').replace(/\+/g, '-');
}

export const newRequestId = apiGatewayId;
export const newConnectionId = apiGatewayId;
export const newMessageId = apiGatewayId;

/** X-Ray style trace header that API Gateway adds to every request. */
export function newTraceId(nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000).toString(16);
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's request time: `21/Nov/2026:10:00:00 +0000`, always UTC. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}
