import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Filter, parseFilters, queryValues } from '../../core/query/filter.ts';

type FilterRequest = Partial<Pick<APIGatewayProxyEventV2, 'rawQueryString' | 'queryStringParameters'>>;

/**
 * The `filter` parameters of a request as sent. Repeated ones are read from the raw query
 * string (core/query/filter.ts says why); an event built without one (a test, another
 * integration) has at most one filter.
 */
function filterTexts(event: FilterRequest): string[] {
  if (event.rawQueryString !== undefined) return queryValues(event.rawQueryString, 'filter');
  const single = event.queryStringParameters?.filter;
  return single !== undefined ? [single] : [];
}

/** The `filter` parameters of a request, checked. */
export function requestFilters(event: FilterRequest): Filter[] {
  return parseFilters(filterTexts(event));
}

/** Whether the request names any filter, well formed or not (checked later, where it is read). */
export function asksForFilters(event: FilterRequest): boolean {
  return filterTexts(event).length > 0;
}
