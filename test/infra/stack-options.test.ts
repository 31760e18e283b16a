import { beforeAll, describe, expect, it } from 'vitest';
import { defineAggregatorMapping } from '../../core/mappings.ts';
import { TOPICS } from '../../core/topics.ts';
import { accessFor } from '../../lib/catalog.ts';
import { resolveConfig } from '../../lib/config-validation.ts';
import { FIXTURE_HANDLER, type Synthesized, synthesize, testCatalog } from './synth.ts';
import {
  json,
  onlyResource,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
  statementsWith,
} from './template-queries.ts';

// The other side of each option: ClickHouse Cloud, a custom ingest domain, alarm e-mail, and
// aggregators for the warehouse and archive sinks plus one the catalog knows nothing about.
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
});
const mappings = [
  defineAggregatorMapping('warehouse', TOPICS.eventsRaw.name, 5000, 5000, ['warm']),
  defineAggregatorMapping('archive', TOPICS.tweetsEnriched.name, 10000, 30000, ['cold']),
  defineAggregatorMapping('mystery', TOPICS.eventsRaw.name, 100, 0, ['hot']),
];

let synth: Synthesized;

beforeAll(() => {
  const base = testCatalog();
  synth = synthesize(config, {
    ...base,
    aggregators: mappings.map((mapping) => ({
      mapping,
      entry: FIXTURE_HANDLER,
      access: accessFor(mapping.functionName),
    })),
  });
}, 180_000);

const fn = (prefix: string) => onlyResource(synth.template, 'AWS::Lambda::Function', prefix)[1];

describe('stack options', () => {
  it('has no unacknowledged cdk-nag findings with these options either', () => {
    expect(synth.findings).toEqual([]);
  });

  it('uses ClickHouse Cloud instead of self-hosting: no warehouse cluster, URL and secret handed on', () => {
    synth.template.resourceCountIs('AWS::ECS::Cluster', 1); // the NLP cluster only
    synth.template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    const warehouse = fn('AggregatorswarehouseeventsrawFunction');
    expect(json(warehouse.Properties.Environment)).toContain('https://abc.clickhouse.cloud:8443');
    expect(json(warehouse.Properties.Environment)).toContain(
      '{{resolve:secretsmanager:spate/clickhouse:SecretString:password::}}',
    );
    const statements = statementsOfRole(synth.template, roleOfFunction(warehouse));
    const reads = statementsWith(statements, 'secretsmanager:GetSecretValue');
    expect(json(reads[0]!.Resource)).toContain('secret:spate/clickhouse');
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

  it('grants each aggregator only the sinks it writes', () => {
    const archive = fn('AggregatorsarchivetweetsenrichedFunction');
    const archiveStatements = statementsOfRole(synth.template, roleOfFunction(archive));
    expect(json(statementsWith(archiveStatements, 's3:PutObject')[0]!.Resource)).toContain('ArchiveBucket');
    expect(json(archive.Properties.Environment)).toContain('SPATE_ARCHIVE_BUCKET');
    expect(statementsWith(archiveStatements, 'secretsmanager:GetSecretValue')).toHaveLength(0);

    const mystery = fn('AggregatorsmysteryeventsrawFunction');
    const mysteryStatements = statementsOfRole(synth.template, roleOfFunction(mystery));
    expect(statementsWith(mysteryStatements, 's3:PutObject')).toHaveLength(0);
    expect(statementsWith(mysteryStatements, 'secretsmanager:GetSecretValue')).toHaveLength(0);
    expect(statementsWith(mysteryStatements, 'execute-api:ManageConnections')).toHaveLength(0);
    expect(json(statementsWith(mysteryStatements, 'kafka-cluster:ReadData')[0]!.Resource)).toContain(
      '/events.raw"',
    );
  });

  it('turns batching windows into whole seconds and leaves short ones to the MSK default', () => {
    const esm = (prefix: string) =>
      onlyResource(synth.template, 'AWS::Lambda::EventSourceMapping', prefix)[1];
    expect(esm('Aggregatorswarehouse').Properties.MaximumBatchingWindowInSeconds).toBe(5);
    expect(esm('Aggregatorsarchive').Properties.MaximumBatchingWindowInSeconds).toBe(30);
    expect(esm('Aggregatorsmystery').Properties.MaximumBatchingWindowInSeconds).toBeUndefined();
    expect(esm('Aggregatorsarchive').Properties.Topics).toEqual([TOPICS.tweetsEnriched.name]);
  });
});
