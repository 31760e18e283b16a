import { describe, expect, it } from 'vitest';
import {
  filterLabel,
  filterQuery,
  filtersFromSearch,
  searchWithFilters,
  withFilter,
  withoutFilter,
} from '../../../dashboard/src/filters.ts';

describe('dashboard filters in the URL', () => {
  it('reads repeated filter parameters, values after the first colon, encoded or not', () => {
    expect(
      filtersFromSearch('?token=t&filter=source:google&filter=country%3ADE&filter=referrer:localhost:8080'),
    ).toEqual([
      { dimension: 'source', value: 'google' },
      { dimension: 'country', value: 'DE' },
      { dimension: 'referrer', value: 'localhost:8080' },
    ]);
    expect(filtersFromSearch('?filter=page:%2Fcart%3Fa%3D1&filter=campaign:')).toEqual([
      { dimension: 'page', value: '/cart?a=1' },
      { dimension: 'campaign', value: '' },
    ]);
  });

  it('leaves out a filter without a dimension and keeps the last of one dimension', () => {
    expect(filtersFromSearch('?filter=google&filter=:x&filter=source:bing&filter=source:google')).toEqual([
      { dimension: 'source', value: 'google' },
    ]);
    expect(filtersFromSearch('')).toEqual([]);
  });

  it('writes the filters into the query string, keeping every other parameter as it was', () => {
    const search = '?token=a.b%2Bc&filter=source:bing&ws=ws%3A%2F%2Fx';
    const next = searchWithFilters(search, [
      { dimension: 'source', value: 'google' },
      { dimension: 'prop.plan', value: 'pro & co' },
    ]);
    expect(next).toBe('?token=a.b%2Bc&ws=ws%3A%2F%2Fx&filter=source:google&filter=prop.plan:pro%20%26%20co');
    expect(filtersFromSearch(next)).toEqual([
      { dimension: 'source', value: 'google' },
      { dimension: 'prop.plan', value: 'pro & co' },
    ]);
    expect(searchWithFilters('?filter=source:google', [])).toBe('');
    expect(searchWithFilters('?token=t&filter=source:google', [])).toBe('?token=t');
  });

  it('adds a filter in place of one on the same dimension, and removes one', () => {
    const one = withFilter([], { dimension: 'source', value: 'google' });
    const two = withFilter(one, { dimension: 'country', value: 'DE' });
    expect(withFilter(two, { dimension: 'source', value: 'bing' })).toEqual([
      { dimension: 'country', value: 'DE' },
      { dimension: 'source', value: 'bing' },
    ]);
    expect(withoutFilter(two, { dimension: 'source', value: 'google' })).toEqual([
      { dimension: 'country', value: 'DE' },
    ]);
    expect(filterQuery(two)).toBe('filter=source:google&filter=country:DE');
  });

  it('labels a chip, the empty value as the events without the dimension', () => {
    expect(filterLabel({ dimension: 'source', value: 'google' })).toBe('source: google');
    expect(filterLabel({ dimension: 'country', value: '' })).toBe('country: (none)');
  });
});
