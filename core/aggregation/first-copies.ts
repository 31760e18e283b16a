/**
 * Who an event is, whichever copy of it is looked at: the id the client gave it (an event's
 * `event_id`, a tweet's id) within its scope (the project; tweets belong to none). A client
 * that re-sends a batch makes copies at new offsets; each copy has the same identity.
 */
export interface RowIdentity {
  readonly scope: string;
  readonly id: string;
}

/** One string per identity, for sets and maps. */
export function identityKey(identity: RowIdentity): string {
  return `${identity.scope}\u0000${identity.id}`;
}

/**
 * The rows to store: the first copy in the batch (lowest offset: rows come in offset order) of
 * each identity that `stored` does not hold already. Copies of one event share a Kafka key, so
 * they meet on one partition in order; keeping the first keeps the one that arrived first.
 */
export function firstCopies<T extends { readonly identity: RowIdentity }>(
  rows: readonly T[],
  stored: ReadonlySet<string>,
): T[] {
  const seen = new Set(stored);
  const kept: T[] = [];
  for (const row of rows) {
    const key = identityKey(row.identity);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(row);
  }
  return kept;
}
