import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { KafkaClient, ListKafkaVersionsCommand } from '@aws-sdk/client-kafka';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CheckResult,
  formatReport,
  preflightClients,
  runPreflight,
} from '../../bin/preflight/checks.ts';
import { registerPreflight } from '../../bin/preflight/cli.ts';
import { DEV_CONFIG, PROD_CONFIG } from '../../lib/config.ts';
import { resolveConfig } from '../../lib/config-validation.ts';

const mocks = {
  quotas: mockClient(ServiceQuotasClient),
  apiGateway: mockClient(APIGatewayClient),
  kafka: mockClient(KafkaClient),
  ec2: mockClient(EC2Client),
  ssm: mockClient(SSMClient),
};

/** Answers every call the preflight makes from one account's responses (test/infra/preflight-responses). */
function replay(account: 'fresh-account' | 'ready-account'): void {
  const r = JSON.parse(
    readFileSync(join(import.meta.dirname, 'preflight-responses', `${account}.json`), 'utf8'),
  );
  for (const m of Object.values(mocks)) m.reset();
  for (const [code, answer] of Object.entries(r.GetServiceQuota))
    mocks.quotas.on(GetServiceQuotaCommand, { QuotaCode: code }).resolves(answer as object);
  mocks.apiGateway.on(GetAccountCommand).resolves(r.GetAccount);
  mocks.kafka.on(ListKafkaVersionsCommand).resolves(r.ListKafkaVersions);
  mocks.ec2.on(DescribeAvailabilityZonesCommand).resolves(r.DescribeAvailabilityZones);
  mocks.ec2.on(DescribeInstanceTypeOfferingsCommand).resolves(r.DescribeInstanceTypeOfferings);
  if (r.GetParameter.error)
    mocks.ssm
      .on(GetParameterCommand)
      .rejects(Object.assign(new Error(r.GetParameter.error.message), { name: r.GetParameter.error.name }));
  else mocks.ssm.on(GetParameterCommand).resolves(r.GetParameter);
}

const statusOf = (results: CheckResult[], check: string) =>
  results.find((r) => r.check.startsWith(check))?.status;

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

describe('spate preflight', () => {
  it('finds the blockers of a fresh account: no GPU quota, no bootstrap', async () => {
    replay('fresh-account');
    const prod = await runPreflight(PROD_CONFIG, 'us-east-1', preflightClients('us-east-1'));
    expect(statusOf(prod, 'GPU quota: Running On-Demand G and VT instances')).toBe('blocker');
    expect(prod.find((r) => r.check.startsWith('GPU quota'))!.fix).toContain(
      '--quota-code L-DB2E81BA --desired-value 36',
    );
    expect(statusOf(prod, 'CDK bootstrap')).toBe('blocker');
    // The stack creates the logging role, so its absence is fine; MSK offers prod's version.
    expect(statusOf(prod, 'API Gateway CloudWatch Logs role')).toBe('pass');
    expect(statusOf(prod, 'MSK Kafka version')).toBe('pass');
    expect(statusOf(prod, 'g6.xlarge in us-east-1a, us-east-1b, us-east-1c')).toBe('pass');
    const dev = await runPreflight(DEV_CONFIG, 'us-east-1', preflightClients('us-east-1'));
    expect(statusOf(dev, 'GPU quota: All G and VT Spot Instance Requests')).toBe('blocker');
  });

  it('refuses an "existing" logging role the account lacks, a retired Kafka version, and a zone without the GPU type', async () => {
    replay('fresh-account');
    const config = resolveConfig('prod', {
      apiGatewayCloudWatchRole: 'existing',
      availabilityZones: ['us-east-1d', 'us-east-1e', 'us-east-1f'],
    });
    const results = await runPreflight(
      { ...config, streaming: { ...config.streaming, kafkaVersion: '3.6.0' } as typeof config.streaming },
      'us-east-1',
      preflightClients('us-east-1'),
    );
    expect(statusOf(results, 'API Gateway CloudWatch Logs role')).toBe('blocker');
    expect(statusOf(results, 'MSK Kafka version')).toBe('blocker');
    expect(statusOf(results, 'g6.xlarge in us-east-1d')).toBe('blocker');
    expect(statusOf(results, 'r7g.xlarge in us-east-1d')).toBe('blocker');
  });

  it('passes an account prepared as the deploy guide says, and warns of the logging role the stack would replace', async () => {
    replay('ready-account');
    const results = await runPreflight(PROD_CONFIG, 'us-east-1', preflightClients('us-east-1'));
    // The account has a logging role already: the stack would set its own in its place.
    expect(results.filter((r) => r.status !== 'pass').map((r) => r.check)).toEqual([
      'API Gateway CloudWatch Logs role',
    ]);
    expect(formatReport(results)).toMatch(
      /^PASS {5}GPU quota: Running On-Demand G and VT instances +64 vCPUs, 36 needed/m,
    );
  });

  it('prints one row per check and exits non-zero on a blocker', async () => {
    replay('fresh-account');
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const program = new Command('spate').exitOverride();
    registerPreflight(program);
    await program.parseAsync(['preflight', '--env', 'prod', '--region', 'us-east-1'], { from: 'user' });
    expect(process.exitCode).toBe(1);
    const report = out.join('');
    expect(report).toMatch(/^BLOCKER {2}CDK bootstrap +us-east-1 is not bootstrapped$/m);
    expect(report).toContain('fix: npx cdk bootstrap aws://<account id>/us-east-1');
  });
});
