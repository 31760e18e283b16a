/** ClickHouse's code for a table that does not exist (UNKNOWN_TABLE). */
const UNKNOWN_TABLE = '60';

/**
 * Whether `err` is ClickHouse saying a table the statement names does not exist: a store the
 * warehouse function has not migrated yet, which a reader may answer another way. A timeout or
 * any other failure is not, and is left to the caller's degraded answer.
 */
export function isMissingTable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === UNKNOWN_TABLE;
}
