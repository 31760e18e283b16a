import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../lib/config-validation.ts';
import { type Synthesized, synthesize, testCatalog } from './synth.ts';
import {
  environmentOf,
  json,
  onlyResource,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
  statementsWith,
} from './template-queries.ts';

// The other side of each option: ClickHouse Cloud, a custom ingest domain, alarm e-mail,
// funnels per project and a bumped secrets revision.
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
  secretsRevision: 3,
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
    const writer = environmentOf(fn('AggregatorswarehouseeventsrawFunction'));
    expect(writer.SPATE_CLICKHOUSE_URL).toBe('https://abc.clickhouse.cloud:8443');
    // GetSecretValue takes the name of the imported secret, whose full ARN has a suffix the name does not tell.
    expect(writer.SPATE_CLICKHOUSE_SECRET_ARN).toBe('spate/clickhouse');
    expect(writer.SPATE_CLICKHOUSE_PASSWORD).toBeUndefined();
    const query = environmentOf(fn('QueryHandlerFunction'));
    expect(query.SPATE_CLICKHOUSE_URL).toBe('https://abc.clickhouse.cloud:8443');
    expect(query.SPATE_CLICKHOUSE_PASSWORD).toBe(
      '{{resolve:secretsmanager:spate/clickhouse:SecretString:password::}}',
    );
    const [, clients] = onlyResource(synth.template, 'AWS::EC2::SecurityGroup', 'WarehouseClients');
    expect(clients.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 8443, ToPort: 8443, IpProtocol: 'tcp' }),
    ]);
    const rights = statementsOfRole(
      synth.template,
      roleOfFunction(fn('AggregatorswarehouseeventsrawFunction')),
    );
    const reads = statementsWith(rights, 'secretsmanager:GetSecretValue');
    expect(reads).toHaveLength(1);
    expect(json(reads[0]!.Resource)).toContain(':secret:spate/clickhouse-??????');
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

  it('updates the query function, which alone takes its secrets at deploy time, when the secrets revision changes', () => {
    const functions = resourcesOf(synth.template, 'AWS::Lambda::Function').filter(([, f]) =>
      String(f.Properties.Description ?? '').startsWith('Spate '),
    );
    expect(functions.length).toBe(6 + catalog.aggregators.length);
    const marked = functions.filter(([, f]) =>
      / \(secrets revision 3\)$/.test(String(f.Properties.Description)),
    );
    expect(marked.map(([id]) => id)).toEqual([expect.stringMatching(/^QueryHandlerFunction/)]);
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
