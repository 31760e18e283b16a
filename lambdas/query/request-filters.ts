import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Filter, parseFilters, queryValues } from '../../core/query/filter.ts';

/**
 * The `filter` parameters of a request, checked. Repeated ones are read from the raw query
 * string (core/query/filter.ts says why); an event built without one (a test, another
 * integration) has at most one filter.
 */
export function requestFilters(
  event: Partial<Pick<APIGatewayProxyEventV2, 'rawQueryString' | 'queryStringParameters'>>,
): Filter[] {
  const single = event.queryStringParameters?.filter;
  const raw =
    event.rawQueryString !== undefined
      ? queryValues(event.rawQueryString, 'filter')
      : single !== undefined
        ? [single]
        : [];
  return parseFilters(raw);
}

/** Whether the request names any filter, well formed or not (checked later, where it is read). */
export function asksForFilters(
  event: Partial<Pick<APIGatewayProxyEventV2, 'rawQueryString' | 'queryStringParameters'>>,
): boolean {
  if (event.rawQueryString !== undefined) return queryValues(event.rawQueryString, 'filter').length > 0;
  return event.queryStringParameters?.filter !== undefined;
}
