import { readFileSync } from 'node:fs';
import { type CityResponse, Reader } from 'mmdb-lib';
import { type GeoLookup, geoFromMaxMind } from '../../core/enrichment/geo.ts';

/**
 * Opens an operator-provided MaxMind-format database (GeoLite2/GeoIP2 City or Country, .mmdb),
 * read once into memory per container. Spate ships none.
 */
export function openGeoDatabase(path: string): GeoLookup {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (err) {
    throw new Error(`SPATE_GEO_DB: cannot read ${path}: ${(err as Error).message}`);
  }
  let reader: Reader<CityResponse>;
  try {
    reader = new Reader<CityResponse>(buffer);
  } catch (err) {
    throw new Error(`SPATE_GEO_DB: ${path} is not a MaxMind database: ${(err as Error).message}`);
  }
  return (ip) => {
    try {
      return geoFromMaxMind(reader.get(ip));
    } catch {
      return null;
    }
  };
}
