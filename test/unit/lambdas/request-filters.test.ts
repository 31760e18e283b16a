import { describe, expect, it } from 'vitest';
import { requestFilters } from '../../../lambdas/query/request-filters.ts';

describe('requestFilters', () => {
  it('reads repeated filters from the raw query string, where payload 2.0 has joined them with commas', () => {
    const event = {
      rawQueryString: 'filter=campaign%3Asale%2C%20spring&filter=os:iOS',
      // What API Gateway makes of it: two filters, or one campaign holding a comma? Not this.
      queryStringParameters: { filter: 'campaign:sale, spring,os:iOS' },
    };
    expect(requestFilters(event).map((f) => [f.dimension.name, f.value])).toEqual([
      ['campaign', 'sale, spring'],
      ['os', 'iOS'],
    ]);
  });

  it('takes the one filter of an event built without a raw query string, and none when absent', () => {
    expect(requestFilters({ queryStringParameters: { filter: 'country:DE' } })).toHaveLength(1);
    expect(requestFilters({})).toEqual([]);
  });
});
