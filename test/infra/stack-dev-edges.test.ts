import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineScriptHashes } from '../../core/dashboard/content-security-policy.ts';
import type { Sink } from '../../core/mappings.ts';
import { INGEST_ROUTE_KEYS } from '../../lambdas/ingest/routes.ts';
import { QUERY_ROUTE_KEYS } from '../../lambdas/query/routes.ts';
import { DEV_CONFIG } from '../../lib/config.ts';
import { type Synthesized, synthesize, testCatalog } from './synth.ts';
import {
  environmentOf,
  functionsResolvingSecrets,
  json,
  onlyResource,
  ownVariables,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
  statementsWith,
} from './template-queries.ts';

// The dev stack's edges: what each function is given (environment, groups, rights), the three
// APIs, the dashboard site and the alarms. Network, streaming and the tiers are in stack-dev.test.ts.
let dev: Synthesized;
const catalog = testCatalog();

beforeAll(() => {
  dev = synthesize(DEV_CONFIG, catalog);
}, 180_000);
afterAll(() => dev?.dispose());

const fn = (prefix: string) => onlyResource(dev.template, 'AWS::Lambda::Function', prefix);
const routeKeys = (apiPrefix: string) =>
  resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route', apiPrefix).map(([, r]) =>
    String(r.Properties.RouteKey),
  );
const rightsOf = (prefix: string) => statementsOfRole(dev.template, roleOfFunction(fn(prefix)[1]));
const aggregatorPrefix = (functionName: string, topic: string) =>
  `Aggregators${functionName}${topic.replace(/[^A-Za-z0-9]/g, '')}Function`;

/** The variables each sink hands a function that writes it (io/* config modules). */
const SINK_VARIABLES: Record<Sink, string[]> = {
  hot: ['SPATE_REDIS_SECRET_ARN', 'SPATE_REDIS_URL'],
  warm: ['SPATE_CLICKHOUSE_DATABASE', 'SPATE_CLICKHOUSE_SECRET_ARN', 'SPATE_CLICKHOUSE_URL'],
  cold: ['SPATE_ARCHIVE_BUCKET'],
  push: ['SPATE_WS_MANAGEMENT_URL'],
};

/** The secret each sink's credentials are in, by the logical id prefix of the secret. */
const SINK_SECRETS: Partial<Record<Sink, string>> = { hot: 'HotCredentials', warm: 'WarehouseCredentials' };

/** The secrets a function's role may read, by logical id prefix, sorted. */
const secretsReadBy = (prefix: string) =>
  statementsWith(rightsOf(prefix), 'secretsmanager:GetSecretValue')
    .map((s) => json(s.Resource).match(/"Ref":"([A-Za-z]+?)[0-9A-F]{8}"/)?.[1] ?? json(s.Resource))
    .sort();

describe('dev stack: each aggregator gets exactly the sinks its mapping writes', () => {
  for (const { mapping } of catalog.aggregators) {
    const writes = new Set(mapping.writes);
    it(`${mapping.functionName} on ${mapping.topic} writes ${mapping.writes.join(', ')}`, () => {
      const prefix = aggregatorPrefix(mapping.functionName, mapping.topic);
      const [, f] = fn(prefix);
      expect(ownVariables(f)).toEqual([...writes].flatMap((w) => SINK_VARIABLES[w]).sort());
      const groups = json((f.Properties.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds);
      expect(groups.includes('HotClients')).toBe(writes.has('hot'));
      expect(groups.includes('WarehouseClients')).toBe(writes.has('warm'));

      const rights = rightsOf(prefix);
      const puts = statementsWith(rights, 's3:PutObject');
      expect(puts).toHaveLength(writes.has('cold') ? 1 : 0);
      if (writes.has('cold')) {
        expect(json(puts[0]!.Resource)).toContain('ArchiveBucket');
        expect(statementsWith(rights, 'kms:GenerateDataKey*')).toHaveLength(1);
      }
      const manage = statementsWith(rights, 'execute-api:ManageConnections');
      expect(manage).toHaveLength(writes.has('push') ? 1 : 0);
      // Store credentials are read at run time from the sink's secret, and no other.
      expect(secretsReadBy(prefix)).toEqual([...writes].flatMap((w) => SINK_SECRETS[w] ?? []).sort());
      if (writes.has('hot')) expect(json(environmentOf(f).SPATE_REDIS_URL)).toContain('rediss://spate@');
    });
  }
});

describe('dev stack: ingest API', () => {
  it('routes every route key of lambdas/ingest/routes.ts to the ingest function, and no other', () => {
    expect(routeKeys('IngestApi').sort()).toEqual([...INGEST_ROUTE_KEYS].sort());
    const [ingestId] = fn('IngestHandlerFunction');
    const integrations = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Integration', 'IngestApi');
    expect(integrations).toHaveLength(1);
    expect(json(integrations[0]![1].Properties.IntegrationUri)).toContain(ingestId);
  });

  it('throttles the stage, writes JSON access logs and leaves CORS preflights to the function', () => {
    const [, stage] = onlyResource(dev.template, 'AWS::ApiGatewayV2::Stage', 'IngestApiStage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: DEV_CONFIG.ingest.rateLimit,
        ThrottlingBurstLimit: DEV_CONFIG.ingest.burstLimit,
        DetailedMetricsEnabled: true,
      },
    });
    const format = JSON.parse((stage.Properties.AccessLogSettings as { Format: string }).Format);
    expect(format).toMatchObject({ status: '$context.status', requestId: '$context.requestId' });
    const [, api] = onlyResource(dev.template, 'AWS::ApiGatewayV2::Api', 'IngestApi');
    // API Gateway would answer preflights itself with one origin list for every project.
    expect(api.Properties.CorsConfiguration).toBeUndefined();
    expect(routeKeys('IngestApi')).toContain('OPTIONS /v1/t');
  });

  it('hands the function the write-key secret, its Kafka settings and the hot store for shared limits, nothing else', () => {
    const [secretId] = onlyResource(dev.template, 'AWS::SecretsManager::Secret', 'IngestWriteKeys');
    const [, ingest] = fn('IngestHandlerFunction');
    expect(ownVariables(ingest)).toEqual([
      'SPATE_KAFKA_AUTH',
      'SPATE_KAFKA_BROKERS',
      'SPATE_REDIS_SECRET_ARN',
      'SPATE_REDIS_URL',
      'SPATE_WRITE_KEYS_SECRET_ARN',
    ]);
    expect(environmentOf(ingest).SPATE_WRITE_KEYS_SECRET_ARN).toEqual({ Ref: secretId });
    expect(ingest.Properties.Description).toBe('Spate ingest');
    // The per-key token buckets live in the hot store, shared by every container.
    expect(json((ingest.Properties.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds)).toContain(
      'HotClients',
    );
    expect(secretsReadBy('IngestHandlerFunction')).toEqual(['HotCredentials', 'IngestWriteKeys']);
  });

  it('lets no browser page post unless origins are configured', () => {
    const [, ingest] = fn('IngestHandlerFunction');
    expect(environmentOf(ingest).SPATE_CORS_ORIGINS).toBeUndefined();
  });
});

describe('dev stack: WebSocket push', () => {
  it('authorises $connect with a REQUEST authorizer on ?token= and routes $disconnect, subscribe and unsubscribe', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    expect(routeKeys('PushApi').sort()).toEqual(['$connect', '$disconnect', 'subscribe', 'unsubscribe']);
    const [authorizerFnId] = fn('PushAuthorizerFunction');
    const [, authorizer] = onlyResource(dev.template, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
    });
    expect(json(authorizer.Properties.AuthorizerUri)).toContain(authorizerFnId);
    const [, connect] = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route', 'PushApi').find(
      ([, r]) => r.Properties.RouteKey === '$connect',
    )!;
    expect(connect.Properties.AuthorizationType).toBe('CUSTOM');
  });

  it('sends $connect/$disconnect to the connect function and channel messages to the subscribe function, replies returned', () => {
    const [connectId] = fn('PushConnectFunction');
    const [subscribeId] = fn('PushSubscribeFunction');
    const integrations = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Integration', 'PushApi');
    const target = (routeKey: string) => {
      const [, route] = resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route', 'PushApi').find(
        ([, r]) => r.Properties.RouteKey === routeKey,
      )!;
      const integrationId = json(route.Properties.Target).match(/"Ref":"([A-Za-z0-9]+)"/)![1]!;
      return json(integrations.find(([id]) => id === integrationId)![1].Properties.IntegrationUri);
    };
    for (const key of ['$connect', '$disconnect']) expect(target(key)).toContain(connectId);
    for (const key of ['subscribe', 'unsubscribe']) expect(target(key)).toContain(subscribeId);
    const responses = resourcesOf(dev.template, 'AWS::ApiGatewayV2::RouteResponse', 'PushApi');
    expect(responses.map(([, r]) => r.Properties.RouteResponseKey)).toEqual(['$default', '$default']);
  });

  it('gives the route functions the hot store; the authorizer only the token key, outside the VPC', () => {
    for (const prefix of ['PushConnectFunction', 'PushSubscribeFunction']) {
      const [, f] = fn(prefix);
      expect(ownVariables(f)).toEqual(SINK_VARIABLES.hot);
      expect(json((f.Properties.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds)).toContain(
        'HotClients',
      );
      expect(statementsWith(rightsOf(prefix), 'execute-api:ManageConnections')).toHaveLength(0);
      expect(secretsReadBy(prefix)).toEqual(['HotCredentials']);
    }
    const [, authorizer] = fn('PushAuthorizerFunction');
    expect(ownVariables(authorizer)).toEqual(['SPATE_DASHBOARD_TOKEN_SECRET_ARN']);
    expect(authorizer.Properties.VpcConfig).toBeUndefined();
    expect(secretsReadBy('PushAuthorizerFunction')).toEqual(['PushDashboardTokenKey']);
  });

  it('lets only the broadcaster post to @connections, of this one API and stage', () => {
    const [apiId] = onlyResource(dev.template, 'AWS::ApiGatewayV2::Api', 'PushApi');
    const manage = resourcesOf(dev.template, 'AWS::IAM::Policy')
      .flatMap(
        ([, p]) =>
          (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
      )
      .filter((s) => json(s.Action).includes('execute-api:ManageConnections'));
    const pushers = catalog.aggregators.filter((a) => a.mapping.writes.includes('push'));
    // One broadcaster function per topic it is fed: events.raw and tweets.enriched.
    expect(pushers.map((a) => `${a.mapping.functionName}:${a.mapping.topic}`)).toEqual([
      'broadcast:events.raw',
      'broadcast:tweets.enriched',
    ]);
    expect(manage).toHaveLength(pushers.length);
    for (const s of manage) {
      expect(json(s.Resource)).toContain(apiId);
      expect(json(s.Resource)).toContain('/live/*/@connections/*');
    }
    for (const topic of ['events.raw', 'tweets.enriched']) {
      const [, broadcast] = fn(aggregatorPrefix('broadcast', topic));
      expect(json(environmentOf(broadcast).SPATE_WS_MANAGEMENT_URL)).toContain('/live');
    }
  });
});

describe('dev stack: query API and dashboard', () => {
  it('routes every route key of lambdas/query/routes.ts to the query function, and no other', () => {
    expect(routeKeys('QueryApi').sort()).toEqual([...QUERY_ROUTE_KEYS].sort());
  });

  it('hands the query function exactly what lambdas/query/query-config.ts reads, and offsets-only Kafka rights', () => {
    const [, query] = fn('QueryHandlerFunction');
    expect(ownVariables(query)).toEqual(
      [
        ...SINK_VARIABLES.hot,
        ...SINK_VARIABLES.warm,
        'SPATE_ARCHIVE_BUCKET',
        'SPATE_DASHBOARD_TOKEN_SECRET_ARN',
        'SPATE_KAFKA_AUTH',
        'SPATE_KAFKA_BROKERS',
        'SPATE_WS_URL',
      ].sort(),
    );
    expect(json(environmentOf(query).SPATE_REDIS_URL)).toContain('rediss://spate@');
    expect(json(environmentOf(query).SPATE_WS_URL)).toContain('wss://');
    expect(query.Properties.Description).toBe('Spate query');
    const rights = rightsOf('QueryHandlerFunction');
    expect(statementsWith(rights, 'kafka-cluster:ReadData')).toHaveLength(0);
    expect(statementsWith(rights, 'kafka-cluster:WriteData')).toHaveLength(0);
    const groups = json(statementsWith(rights, 'kafka-cluster:DescribeGroup')[0]!.Resource);
    for (const { mapping } of catalog.aggregators) expect(groups).toContain(`/${mapping.groupId}"`);
    // The cold tier is read by ClickHouse, with its own role: the function has no S3 right.
    expect(statementsWith(rights, 's3:GetObject*')).toHaveLength(0);
    const [clickhouseRole] = onlyResource(dev.template, 'AWS::IAM::Role', 'WarehouseTaskTaskRole');
    const archiveReads = statementsOfRole(dev.template, clickhouseRole).filter(
      (s) => json(s.Action).includes('s3:GetObject*') && json(s.Resource).includes('ArchiveBucket'),
    );
    expect(archiveReads).toHaveLength(1);
  });

  it('lets the query function read the store credentials and the token key at run time, and no other secret', () => {
    const [, query] = fn('QueryHandlerFunction');
    const [hotSecret] = onlyResource(dev.template, 'AWS::SecretsManager::Secret', 'HotCredentials');
    const [warmSecret] = onlyResource(dev.template, 'AWS::SecretsManager::Secret', 'WarehouseCredentials');
    const [keySecret] = onlyResource(dev.template, 'AWS::SecretsManager::Secret', 'PushDashboardTokenKey');
    const env = environmentOf(query);
    expect(env.SPATE_REDIS_SECRET_ARN).toEqual({ Ref: hotSecret });
    expect(env.SPATE_CLICKHOUSE_SECRET_ARN).toEqual({ Ref: warmSecret });
    expect(env.SPATE_DASHBOARD_TOKEN_SECRET_ARN).toEqual({ Ref: keySecret });
    expect(secretsReadBy('QueryHandlerFunction')).toEqual([
      'HotCredentials',
      'PushDashboardTokenKey',
      'WarehouseCredentials',
    ]);
  });

  it('deploys the built dashboard to the private site bucket and invalidates CloudFront', () => {
    const [siteId] = onlyResource(dev.template, 'AWS::S3::Bucket', 'QuerySite');
    const [, deploy] = onlyResource(dev.template, 'Custom::CDKBucketDeployment', 'QueryDeploy');
    expect(deploy.Properties).toMatchObject({
      DestinationBucketName: { Ref: siteId },
      DistributionId: { Ref: expect.stringMatching(/^QueryDistribution/) },
      DistributionPaths: ['/index.html'],
    });
  });

  it('serves the dashboard through CloudFront with OAC and security headers, and /v1/* from the query API', () => {
    dev.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    dev.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: [Match.objectLike({ PathPattern: 'v1/*', ViewerProtocolPolicy: 'https-only' })],
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    dev.template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 31_536_000,
            IncludeSubdomains: true,
          }),
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'"),
          }),
        }),
      }),
    });
  });

  // Without them the page never fills its tiles nor starts the app.
  it("allows the built index.html's inline scripts by hash and no others", () => {
    const [policy] = Object.values(dev.template.findResources('AWS::CloudFront::ResponseHeadersPolicy')) as {
      Properties: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: CspConfig } };
    }[];
    const csp = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy;
    const scriptSrc = csp?.ContentSecurityPolicy.split('; ').find((d) => d.startsWith('script-src '));
    const index = readFileSync(join(testCatalog().dashboardSite, 'index.html'), 'utf8');
    const hashes = inlineScriptHashes(index);
    expect(hashes.length).toBeGreaterThan(0);
    expect(scriptSrc).toBe(["script-src 'self'", ...hashes].join(' '));
    expect(csp?.ContentSecurityPolicy).toContain("connect-src 'self' wss://*.amazonaws.com");
  });
});

interface CspConfig {
  readonly ContentSecurityPolicy?: { readonly ContentSecurityPolicy: string };
}

describe('dev stack: secrets reach the functions at run time', () => {
  const functions = () => resourcesOf(dev.template, 'AWS::Lambda::Function');

  it("resolves no secret into any function's environment", () => {
    expect(functions().length).toBeGreaterThan(0);
    expect(functionsResolvingSecrets(dev.template)).toEqual([]);
  });

  it('lets each function read exactly the secrets its *_SECRET_ARN variables name', () => {
    const readers: string[] = [];
    for (const [id, f] of functions()) {
      const named = Object.entries(environmentOf(f))
        .filter(([name]) => name.endsWith('_SECRET_ARN'))
        .map(([, value]) => json(value));
      const readable = statementsWith(
        statementsOfRole(dev.template, roleOfFunction(f)),
        'secretsmanager:GetSecretValue',
      ).flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(json));
      expect(readable.sort(), id).toEqual(named.sort());
      if (named.length > 0) readers.push(id);
    }
    const storeWriters = catalog.aggregators.filter((a) =>
      a.mapping.writes.some((w) => w === 'hot' || w === 'warm'),
    );
    // ingest, the authorizer, connect and subscribe, the query function, compaction, and every
    // aggregator that writes a store
    expect(readers).toHaveLength(6 + storeWriters.length);
    expect(readers).toContainEqual(expect.stringMatching(/^QueryHandlerFunction/));
  });
});

describe('dev stack: observability', () => {
  const alarms = () => resourcesOf(dev.template, 'AWS::CloudWatch::Alarm', 'Observability');
  const alarmsWith = (props: Record<string, unknown>) =>
    alarms().filter(([, a]) => Object.entries(props).every(([k, v]) => json(a.Properties[k]) === json(v)));
  const alarmsReading = (...fragments: string[]) =>
    alarms().filter(([, a]) => fragments.every((f) => json(a.Properties.Metrics).includes(f)));

  it('alarms on ingest surging, and not on an idle dev API (no traffic expected there)', () => {
    expect(DEV_CONFIG.ingest.expectSteadyTraffic).toBe(false);
    expect(alarms().filter(([id]) => id.startsWith('ObservabilityIngestStopped'))).toEqual([]);
    expect(
      alarms()
        .filter(([, a]) => a.Properties.TreatMissingData === 'breaching')
        .map(([id]) => id),
    ).toEqual([expect.stringMatching(/^ObservabilityClickHouseDown/)]);
    expect(
      alarmsWith({
        MetricName: 'Count',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: DEV_CONFIG.ingest.rateLimit * 60 * 0.8,
      }),
    ).toHaveLength(1);
  });

  it('alarms on 4xx and 5xx ratios with metric math', () => {
    const ratios = alarmsReading('100 * errors / MAX([requests, 1])');
    expect(ratios.map(([, a]) => a.Properties.Threshold).sort()).toEqual([1, 10]);
  });

  it('alarms on OffsetLag of every aggregator and on errors and throttles of every function', () => {
    expect(alarmsWith({ MetricName: 'OffsetLag', Namespace: 'AWS/Lambda' })).toHaveLength(
      catalog.aggregators.length,
    );
    // ingest, query, authorizer, connect, subscribe, and every aggregator
    const functions = 5 + catalog.aggregators.length;
    // and compaction's own errors alarm (compaction.test.ts)
    expect(alarmsWith({ MetricName: 'Errors', Namespace: 'AWS/Lambda' })).toHaveLength(functions + 1);
    expect(alarmsWith({ MetricName: 'Throttles', Namespace: 'AWS/Lambda' })).toHaveLength(functions);
  });

  it('alarms on DLQ growth from the metric the ingest function emits', () => {
    expect(
      alarmsWith({
        MetricName: 'EventsRejected',
        Namespace: 'Spate',
        Dimensions: [{ Name: 'service', Value: 'spate-ingest' }],
      }),
    ).toHaveLength(1);
  });

  it("alarms on push errors: the WebSocket API's errors and the broadcaster's PushErrors", () => {
    expect(
      alarmsReading(
        'ExecutionError',
        'IntegrationError',
        '"MetricName":"PushErrors","Namespace":"Spate"',
        'spate-broadcast',
      ),
    ).toHaveLength(1);
  });

  it('alarms on ClickHouse insert errors from every function that writes the warm tier', () => {
    const writers = catalog.aggregators.filter((a) => a.mapping.writes.includes('warm'));
    expect(writers.length).toBeGreaterThan(0);
    const [insert] = alarmsReading('ClickHouse insert errors');
    expect(insert).toBeDefined();
    for (const { mapping } of writers) {
      const [id] = fn(aggregatorPrefix(mapping.functionName, mapping.topic));
      expect(json(insert![1].Properties.Metrics)).toContain(id);
    }
    expect(insert![1].Properties.Threshold).toBe(0);
  });

  it('alarms on NLP lag, and every alarm notifies one encrypted SNS topic', () => {
    expect(alarmsWith({ MetricName: 'ConsumerLag', EvaluationPeriods: 15 })).toHaveLength(1);
    const [topicId, topic] = onlyResource(dev.template, 'AWS::SNS::Topic', 'ObservabilityAlarms');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    expect(alarms().length).toBeGreaterThan(10);
    for (const [, a] of alarms()) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.AlarmDescription).toEqual(expect.any(String));
    }
    dev.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
