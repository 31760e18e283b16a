import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Spate's event id for a Segment messageId. Segment clients make ids like `node-next-<ts>-<uuid>`;
 * a retry repeats the messageId, so the derived id is deterministic and dedup still works.
 */
export function eventIdFromMessageId(messageId: string, project: string): string {
  if (UUID.test(messageId)) return messageId.toLowerCase();
  const hex = createHash('sha256').update(project).update('\0').update(messageId).digest('hex');
  // Shaped as an RFC 9562 version-8 (custom) UUID so it passes the same uuid check.
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
