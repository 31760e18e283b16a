// The topic provisioner custom resource: creates Spate's topics on MSK with a kafkajs admin
// client authenticated by the MSK IAM signer. Deployed by the stack from this path; lib/
// never imports it.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel } from 'kafkajs';
import { parseWantedTopics, planTopics } from './topic-plan.ts';

interface ProvisionerResult {
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, string>;
}

const region = process.env.AWS_REGION ?? 'us-east-1';

export async function handler(event: CloudFormationCustomResourceEvent): Promise<ProvisionerResult> {
  const physicalId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : 'spate-topics';
  // Deleting the stack must not delete records a replay may still need; MSK goes with the cluster.
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId, Data: {} };

  const props = event.ResourceProperties as Record<string, unknown>;
  const brokers = String(props.BootstrapBrokers ?? '')
    .split(',')
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('BootstrapBrokers must list at least one broker');
  const wanted = parseWantedTopics(props.Topics);

  const kafka = new Kafka({
    clientId: 'spate-topic-provisioner',
    brokers,
    ssl: true,
    logLevel: logLevel.WARN,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
    },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata();
    const existing = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]));
    const plan = planTopics(wanted, existing);
    if (plan.create.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: plan.create.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          configEntries: [
            { name: 'retention.ms', value: String(t.retentionMs) },
            { name: 'retention.bytes', value: String(t.retentionBytes) },
          ],
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
          configEntries: [
            { name: 'retention.ms', value: String(t.retentionMs) },
            { name: 'retention.bytes', value: String(t.retentionBytes) },
          ],
        })),
      });
    }
    return {
      PhysicalResourceId: physicalId,
      Data: {
        Created: plan.create.map((t) => t.name).join(','),
        Topics: wanted.map((t) => t.name).join(','),
      },
    };
  } finally {
    await admin.disconnect();
  }
}
