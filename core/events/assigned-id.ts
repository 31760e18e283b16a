import { randomUUID } from 'node:crypto';

/**
 * An item with `field` (`event_id`, `messageId`) set to a fresh random UUID when the client left
 * it out; any value it sent, null included, is kept for the schema to judge. A copy of such an
 * event (a retry after a lost response) gets another id, so it cannot be recognised as a copy:
 * clients that retry must send their own id.
 */
export function withAssignedId(item: unknown, field: string, newId: () => string = randomUUID): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  if ((item as Record<string, unknown>)[field] !== undefined) return item;
  return { ...item, [field]: newId() };
}
