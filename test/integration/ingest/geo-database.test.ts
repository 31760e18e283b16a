import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openGeoDatabase } from '../../../lambdas/ingest/geo-database.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('openGeoDatabase', () => {
  it('names the setting and the path when the file is missing', () => {
    expect(() => openGeoDatabase('/nonexistent/GeoLite2-City.mmdb')).toThrow(
      /SPATE_GEO_DB: cannot read \/nonexistent\/GeoLite2-City\.mmdb/,
    );
  });

  it('refuses a file that is not a MaxMind database', () => {
    dir = mkdtempSync(join(tmpdir(), 'spate-geo-'));
    const file = join(dir, 'bogus.mmdb');
    writeFileSync(file, 'not a database');
    expect(() => openGeoDatabase(file)).toThrow(/is not a MaxMind database/);
  });
});
