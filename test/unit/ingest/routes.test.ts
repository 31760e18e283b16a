import { describe, expect, it } from 'vitest';
import { INGEST_ROUTE_KEYS, ingestRoute } from '../../../lambdas/ingest/routes.ts';

describe('ingest routes', () => {
  it("serves Segment's browser and mobile one-letter paths as their long forms", () => {
    const pairs = [
      ['/v1/t', '/v1/track'],
      ['/v1/p', '/v1/page'],
      ['/v1/i', '/v1/identify'],
      ['/v1/g', '/v1/group'],
      ['/v1/a', '/v1/alias'],
      ['/v1/s', '/v1/screen'],
      ['/v1/b', '/v1/batch'],
    ];
    for (const [short, long] of pairs) {
      expect(ingestRoute(short!)).toEqual(ingestRoute(long!));
      expect(ingestRoute(short!)?.kind).toBe('segment');
    }
    expect(ingestRoute('/v1/m')).toEqual({ kind: 'client-metrics' });
    expect(ingestRoute('/v1/b/')).toEqual({ kind: 'segment', segmentType: 'batch' });
    expect(ingestRoute('/v1/x')).toBeUndefined();
  });

  it('declares a POST and an OPTIONS route key for every path, so preflights reach the function', () => {
    const posts = INGEST_ROUTE_KEYS.filter((k) => k.startsWith('POST '));
    const options = INGEST_ROUTE_KEYS.filter((k) => k.startsWith('OPTIONS '));
    expect(posts).toContain('POST /v1/t');
    expect(posts).toContain('POST /v1/m');
    expect(options.map((k) => k.replace('OPTIONS', 'POST')).sort()).toEqual([...posts].sort());
    expect(posts.length + options.length).toBe(INGEST_ROUTE_KEYS.length);
  });
});
