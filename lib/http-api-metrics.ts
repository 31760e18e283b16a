import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * Requests to one route of an HTTP API stage (API Gateway publishes route-level metrics on a
 * stage with detailed metrics on). It is counted at the front door, so it is there whether or
 * not anything downstream runs: what a service that scales from zero can wake on.
 */
export function metricRouteRequests(
  api: apigw.IHttpApi,
  stageName: string,
  routeKey: string,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  const [method, resource] = routeKey.split(' ');
  if (!method || !resource) throw new Error(`route key must be "METHOD /path" (got ${routeKey})`);
  return new cloudwatch.Metric({
    namespace: 'AWS/ApiGateway',
    metricName: 'Count',
    dimensionsMap: { ApiId: api.apiId, Stage: stageName, Method: method, Resource: resource },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(1),
    ...props,
  });
}
