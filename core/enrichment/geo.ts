import type { Geo } from '../events/enriched-event.ts';

/**
 * Looks up the location of a raw address. Only present when the operator provides a
 * MaxMind-format database; it is called before anonymisation and its input is never kept.
 */
export type GeoLookup = (ip: string) => Geo | null;
