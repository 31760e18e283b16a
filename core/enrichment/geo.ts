import type { Geo } from '../events/enriched-event.ts';

/**
 * Looks up the location of a raw address. Only present when the operator provides a
 * MaxMind-format database; it is called before anonymisation and its input is never kept.
 */
export type GeoLookup = (ip: string) => Geo | null;

/** The fields of a MaxMind (GeoIP2/GeoLite2) City or Country record that Spate keeps. */
export interface MaxMindRecord {
  readonly country?: { readonly iso_code?: string };
  readonly subdivisions?: readonly { readonly iso_code?: string }[];
  readonly city?: { readonly names?: { readonly en?: string } };
}

export function geoFromMaxMind(record: MaxMindRecord | null): Geo | null {
  if (!record) return null;
  const geo: Geo = {
    country: record.country?.iso_code ?? null,
    region: record.subdivisions?.[0]?.iso_code ?? null,
    city: record.city?.names?.en ?? null,
  };
  return geo.country === null && geo.region === null && geo.city === null ? null : geo;
}
