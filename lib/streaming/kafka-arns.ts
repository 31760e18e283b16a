import { Fn, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * MSK IAM resource ARNs. A cluster ARN is arn:aws:kafka:region:account:cluster/NAME/UUID;
 * topics and groups live under topic/NAME/UUID/... and group/NAME/UUID/..., so the
 * policies can be scoped to one topic or one consumer group of this cluster only.
 */
export class KafkaArns {
  private readonly prefix: (kind: 'topic' | 'group' | 'transactional-id') => string;

  constructor(
    scope: Construct,
    readonly clusterArn: string,
  ) {
    const stack = Stack.of(scope);
    const parts = Fn.split('/', clusterArn, 3);
    const name = Fn.select(1, parts);
    const uuid = Fn.select(2, parts);
    this.prefix = (kind) =>
      `arn:${stack.partition}:kafka:${stack.region}:${stack.account}:${kind}/${name}/${uuid}`;
  }

  topic(topicName: string): string {
    return `${this.prefix('topic')}/${topicName}`;
  }

  group(groupId: string): string {
    return `${this.prefix('group')}/${groupId}`;
  }

  transactionalId(idPrefix: string): string {
    return `${this.prefix('transactional-id')}/${idPrefix}*`;
  }

  /** Every topic of the cluster: only the topic provisioner, which creates them, gets this. */
  allTopics(): string {
    return `${this.prefix('topic')}/*`;
  }
}
