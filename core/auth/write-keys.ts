import { createHash } from 'node:crypto';
import { IngestError } from '../events/ingest-error.ts';

/** Write keys by their SHA-256 (hex): the key itself is never stored, only its hash and project. */
export type WriteKeySet = ReadonlyMap<string, string>;

const HEX64 = /^[0-9a-f]{64}$/;

export function hashWriteKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Reads a key set from `{"<project>": "<sha256 hex of its write key>"}`; the string form is what
 * the SPATE_WRITE_KEYS variable holds. A project may list several hashes to rotate keys.
 */
export function parseWriteKeySet(json: string, source = 'SPATE_WRITE_KEYS'): WriteKeySet {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${source} must be JSON: {"<project>": "<sha256 hex>"}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${source} must be a JSON object of project -> sha256 hex`);
  }
  const keys = new Map<string, string>();
  for (const [project, hashes] of Object.entries(value)) {
    const list = Array.isArray(hashes) ? hashes : [hashes];
    for (const hash of list) {
      if (typeof hash !== 'string' || !HEX64.test(hash.toLowerCase())) {
        throw new Error(`${source}.${project} must be a 64-character sha256 hex string (or a list of them)`);
      }
      keys.set(hash.toLowerCase(), project);
    }
  }
  return keys;
}

/**
 * The write key of a request, in any of the ways clients send it: `Authorization: Bearer <key>`,
 * `x-api-key: <key>`, or Segment's `Authorization: Basic base64(<key>:)`.
 */
export function writeKeyFromHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const apiKey = headers['x-api-key']?.trim();
  if (apiKey) return apiKey;
  const authorization = headers.authorization?.trim();
  if (!authorization) return undefined;
  const space = authorization.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = authorization.slice(0, space).toLowerCase();
  const credentials = authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return credentials || undefined;
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    return user || undefined;
  }
  return undefined;
}

export interface WriteKeyIdentity {
  readonly project: string;
  /** A short prefix of the key's hash: names the key in rate limits and logs without revealing it. */
  readonly keyId: string;
}

/** The project a request writes to; 401 when the key is missing or unknown. */
export function authenticate(key: string | undefined, keys: WriteKeySet): WriteKeyIdentity {
  if (!key) {
    throw new IngestError(
      401,
      'unauthorized',
      'a write key is required: Authorization Bearer, x-api-key or Basic',
    );
  }
  // Looked up by hash: lookup timing tells an attacker about hashes, not about keys.
  const hash = hashWriteKey(key);
  const project = keys.get(hash);
  if (project === undefined) {
    throw new IngestError(401, 'unauthorized', 'unknown write key');
  }
  return { project, keyId: hash.slice(0, 12) };
}
