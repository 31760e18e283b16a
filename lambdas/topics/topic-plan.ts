import { InputError } from '../../core/errors/spate-error.ts';

/**
 * What the topic provisioner must do to make the cluster hold the wanted topics. Pure, so
 * the rules (partitions only grow; existing topics get their retention re-applied; topics
 * are never deleted, because records outlive a stack update) are testable without a broker.
 */
export interface WantedTopic {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
  readonly retentionBytes: number;
}

export interface TopicPlan {
  readonly create: readonly WantedTopic[];
  readonly grow: readonly { readonly name: string; readonly partitions: number }[];
  readonly reconfigure: readonly WantedTopic[];
}

export function planTopics(wanted: readonly WantedTopic[], existing: ReadonlyMap<string, number>): TopicPlan {
  const create: WantedTopic[] = [];
  const grow: { name: string; partitions: number }[] = [];
  const reconfigure: WantedTopic[] = [];
  for (const topic of wanted) {
    const current = existing.get(topic.name);
    if (current === undefined) {
      create.push(topic);
      continue;
    }
    if (topic.partitions > current) grow.push({ name: topic.name, partitions: topic.partitions });
    reconfigure.push(topic);
  }
  return { create, grow, reconfigure };
}

function intField(raw: Record<string, unknown>, field: string, index: number, min: number): number {
  const value = Number(raw[field]);
  if (!Number.isInteger(value) || value < min)
    throw new InputError(
      `Topics[${index}].${field} must be an integer >= ${min} (got ${String(raw[field])})`,
      {
        field: `Topics[${index}].${field}`,
        rule: 'minimum',
      },
    );
  return value;
}

/** Custom resource properties arrive as strings; this turns them back into topics or says which field is wrong. */
export function parseWantedTopics(raw: unknown): WantedTopic[] {
  if (!Array.isArray(raw)) throw new InputError('Topics must be a list', { field: 'Topics', rule: 'type' });
  return raw.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null)
      throw new InputError(`Topics[${index}] must be an object`, { field: `Topics[${index}]`, rule: 'type' });
    const t = item as Record<string, unknown>;
    if (typeof t.Name !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(t.Name))
      throw new InputError(`Topics[${index}].Name must be a Kafka topic name (got ${String(t.Name)})`, {
        field: `Topics[${index}].Name`,
        rule: 'pattern',
      });
    return {
      name: t.Name,
      partitions: intField(t, 'Partitions', index, 1),
      retentionMs: intField(t, 'RetentionMs', index, -1),
      retentionBytes: intField(t, 'RetentionBytes', index, -1),
    };
  });
}
