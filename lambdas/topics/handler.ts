// The topic provisioner custom resource: creates Spate's topics on MSK with a kafkajs admin
// client authenticated by the MSK IAM signer. The CDK stack deploys it from this path.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { Admin } from 'kafkajs';
import { InputError } from '../../core/errors/spate-error.ts';
import { EnvReader } from '../../io/config/env-reader.ts';
import { createKafka } from '../../io/kafka/kafka-client.ts';
import { eventHandler, functionTools, type SpateHandler } from '../spate-handler.ts';
import { parseWantedTopics, planTopics, type WantedTopic } from './topic-plan.ts';

interface ProvisionerResult {
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, string>;
}

/** Region the IAM tokens are signed for; Lambda sets AWS_REGION. Read once per container. */
let region: string | undefined;

const retention = (t: WantedTopic) => [
  { name: 'retention.ms', value: String(t.retentionMs) },
  { name: 'retention.bytes', value: String(t.retentionBytes) },
];

async function applyPlan(admin: Admin, wanted: readonly WantedTopic[]): Promise<string[]> {
  const metadata = await admin.fetchTopicMetadata();
  const existing = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
  const plan = planTopics(wanted, existing);
  if (plan.create.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: plan.create.map((t) => ({
        topic: t.name,
        numPartitions: t.partitions,
        configEntries: retention(t),
      })),
    });
  }
  if (plan.grow.length > 0) {
    await admin.createPartitions({
      topicPartitions: plan.grow.map((g) => ({ topic: g.name, count: g.partitions })),
    });
  }
  if (plan.reconfigure.length > 0) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: plan.reconfigure.map((t) => ({
        type: 2, // ConfigResourceTypes.TOPIC
        name: t.name,
        configEntries: retention(t),
      })),
    });
  }
  return plan.create.map((t) => t.name);
}

const tools = functionTools('spate-topics');

// Errors propagate: CloudFormation is told the resource failed, with the error's message.
export const handler: SpateHandler<CloudFormationCustomResourceEvent, ProvisionerResult> = eventHandler(
  tools,
  provision,
);

async function provision(event: CloudFormationCustomResourceEvent): Promise<ProvisionerResult> {
  const physicalId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : 'spate-topics';
  // Deleting the stack must not delete records a replay may still need; MSK goes with the cluster.
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId, Data: {} };

  const props = event.ResourceProperties as Record<string, unknown>;
  const brokers = String(props.BootstrapBrokers ?? '')
    .split(',')
    .filter(Boolean);
  if (brokers.length === 0)
    throw new InputError('BootstrapBrokers must list at least one broker', {
      field: 'BootstrapBrokers',
      rule: 'minItems',
    });
  const wanted = parseWantedTopics(props.Topics);

  region ??= new EnvReader(process.env).string('AWS_REGION');
  const kafka = createKafka(
    { brokers, clientId: 'spate-topic-provisioner', auth: 'msk-iam', region },
    { requestTimeoutMs: 30_000 },
  );
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await applyPlan(admin, wanted);
    return {
      PhysicalResourceId: physicalId,
      Data: { Created: created.join(','), Topics: wanted.map((t) => t.name).join(',') },
    };
  } finally {
    await admin.disconnect();
  }
}
