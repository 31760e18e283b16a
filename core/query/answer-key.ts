import { type Filter, filtersKey } from './filter.ts';
import type { Tier } from './tier-routing.ts';

/** A question as it is keyed: its fields, and the filters, whose order does not matter. */
export type KeyedQuery = object & { readonly filters?: readonly Filter[] };

/**
 * The query cache's key of a warm or cold answer: which answer it is (`breakdown`, `sessions`,
 * ...), the tiers that read it, and the question normalised. Built from the whole question
 * rather than a list of its fields, so a field added to a question later is part of its key
 * without anyone remembering to add it here: any parameter that differs is another key, while
 * the same filters in another order (AND is commutative) and the order of an object's fields
 * read alike.
 */
export function answerKey<Q extends KeyedQuery>(answer: string, tiers: readonly Tier[], query: Q): string {
  const { filters, ...rest } = query;
  return JSON.stringify([answer, tiers, canonical(rest), filtersKey(filters ?? [])]);
}

/** A JSON value with every object's fields in name order; undefined fields left out, as JSON does. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]),
  );
}
