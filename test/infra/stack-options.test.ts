import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../lib/config-validation.ts';
import { type Synthesized, synthesize, testCatalog } from './synth.ts';
import {
  environmentOf,
  functionsResolvingSecrets,
  json,
  onlyResource,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
  statementsWith,
} from './template-queries.ts';

// The other side of each option: ClickHouse Cloud, a custom ingest domain, alarm e-mail and
// funnels per project.
const funnels = { shop: ['page_view', 'add_to_cart', 'purchase'] };
const config = resolveConfig('dev', {
  warehouse: {
    mode: 'external',
    url: 'https://abc.clickhouse.cloud:8443',
    credentialsSecretName: 'spate/clickhouse',
  },
  ingest: {
    domain: {
      name: 'events.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc',
    },
  },
  alarmEmail: 'ops@example.com',
  funnels,
});
const catalog = testCatalog();

let synth: Synthesized;

beforeAll(() => {
  synth = synthesize(config, catalog);
}, 180_000);
afterAll(() => synth?.dispose());

const fn = (prefix: string) => onlyResource(synth.template, 'AWS::Lambda::Function', prefix)[1];

describe('stack options', () => {
  it('has no unacknowledged cdk-nag findings with these options either', () => {
    expect(synth.findings).toEqual([]);
  });

  it('uses ClickHouse Cloud instead of self-hosting: no warehouse cluster, URL and secret handed on', () => {
    synth.template.resourceCountIs('AWS::ECS::Cluster', 1); // the NLP cluster only
    synth.template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    // Compaction needs a ClickHouse whose role may write the archive: not deployed with an external one.
    expect(resourcesOf(synth.template, 'AWS::Lambda::Function', 'Compaction')).toEqual([]);
    expect(resourcesOf(synth.template, 'AWS::Events::Rule', 'Compaction')).toEqual([]);
    // The warehouse function writes, the query function reads: both read the credentials at run time.
    for (const prefix of ['AggregatorswarehouseeventsrawFunction', 'QueryHandlerFunction']) {
      const env = environmentOf(fn(prefix));
      expect(env.SPATE_CLICKHOUSE_URL).toBe('https://abc.clickhouse.cloud:8443');
      // GetSecretValue takes the name of the imported secret, whose full ARN has a suffix the name does not tell.
      expect(env.SPATE_CLICKHOUSE_SECRET_ARN).toBe('spate/clickhouse');
      expect(env.SPATE_CLICKHOUSE_USER).toBeUndefined();
      expect(env.SPATE_CLICKHOUSE_PASSWORD).toBeUndefined();
      const reads = statementsWith(
        statementsOfRole(synth.template, roleOfFunction(fn(prefix))),
        'secretsmanager:GetSecretValue',
      ).filter((s) => json(s.Resource).includes('spate/clickhouse'));
      expect(reads, prefix).toHaveLength(1);
      expect(json(reads[0]!.Resource)).toContain(':secret:spate/clickhouse-??????');
    }
    expect(functionsResolvingSecrets(synth.template)).toEqual([]);
    const [, clients] = onlyResource(synth.template, 'AWS::EC2::SecurityGroup', 'WarehouseClients');
    expect(clients.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 8443, ToPort: 8443, IpProtocol: 'tcp' }),
    ]);
  });

  it('puts the ingest API on the custom domain and turns the default endpoint off', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'events.example.com',
      DomainNameConfigurations: [
        { CertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/abc', EndpointType: 'REGIONAL' },
      ],
    });
    synth.template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    const [, api] = resourcesOf(synth.template, 'AWS::ApiGatewayV2::Api', 'IngestApi')[0]!;
    expect(api.Properties.DisableExecuteApiEndpoint).toBe(true);
  });

  it('mails alarms to the configured address', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('hands the funnels to every function that reads them, and to no other', () => {
    const readers = catalog.aggregators
      .filter((a) => a.mapping.writes.includes('hot'))
      .map(
        (a) => `Aggregators${a.mapping.functionName}${a.mapping.topic.replace(/[^A-Za-z0-9]/g, '')}Function`,
      );
    for (const prefix of [...readers, 'QueryHandlerFunction'])
      expect(environmentOf(fn(prefix)).SPATE_FUNNELS).toBe(JSON.stringify(funnels));
    for (const prefix of ['AggregatorsarchiveeventsrawFunction', 'AggregatorswarehouseeventsrawFunction'])
      expect(environmentOf(fn(prefix)).SPATE_FUNNELS).toBeUndefined();
  });

  it('turns batching windows into whole seconds, and gives the hot tier none', () => {
    const esm = (prefix: string) =>
      onlyResource(synth.template, 'AWS::Lambda::EventSourceMapping', prefix)[1];
    expect(esm('Aggregatorswarehouse').Properties.MaximumBatchingWindowInSeconds).toBe(5);
    expect(esm('Aggregatorsarchive').Properties.MaximumBatchingWindowInSeconds).toBe(10);
    expect(esm('Aggregatorsrealtime').Properties.MaximumBatchingWindowInSeconds).toBe(0);
    expect(esm('Aggregatorsbroadcasteventsraw').Properties.MaximumBatchingWindowInSeconds).toBe(0);
    expect(json(esm('Aggregatorstweets').Properties.Topics)).toBe('["tweets.enriched"]');
  });
});
