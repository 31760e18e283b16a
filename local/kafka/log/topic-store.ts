import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TopicDefinition } from '../../../core/topics.ts';
import { replaceFile } from '../durable-file.ts';
import { type LogConfig, PartitionLog } from './partition-log.ts';

export interface TopicConfig extends LogConfig {
  readonly name: string;
  readonly partitions: number;
}

export interface Topic {
  config: TopicConfig;
  readonly partitions: PartitionLog[];
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function topicNameError(name: string): string | null {
  if (!TOPIC_NAME.test(name)) return `topic name "${name}" must be 1-249 of [a-zA-Z0-9._-]`;
  if (name === '.' || name === '..') return `topic name "${name}" is reserved`;
  return null;
}

export function configFromDefinition(def: TopicDefinition): TopicConfig {
  return {
    name: def.name,
    partitions: def.partitions,
    retentionMs: def.retentionMs,
    retentionBytes: def.retentionBytes,
    segmentBytes: DEFAULT_SEGMENT_BYTES,
    logAppendTime: false,
  };
}

/** Every topic of the broker, each a folder of partition folders plus its topic.json. */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly log: (msg: string) => void,
  ) {
    this.root = join(dataDir, 'topics');
    mkdirSync(this.root, { recursive: true });
    for (const name of readdirSync(this.root)) {
      const file = join(this.root, name, 'topic.json');
      if (!existsSync(file)) continue;
      const config = JSON.parse(readFileSync(file, 'utf8')) as TopicConfig;
      this.topics.set(name, this.openTopic(config));
    }
  }

  private openTopic(config: TopicConfig): Topic {
    const partitions: PartitionLog[] = [];
    for (let p = 0; p < config.partitions; p++) {
      partitions.push(PartitionLog.open(join(this.root, config.name, String(p)), config, this.log));
    }
    return { config, partitions };
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  names(): string[] {
    return [...this.topics.keys()].sort();
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  /** Creates the topic, or grows an existing one to the declared partition count. */
  ensure(config: TopicConfig): Topic {
    const existing = this.topics.get(config.name);
    if (existing === undefined) return this.create(config);
    const grown = { ...existing.config, partitions: Math.max(existing.config.partitions, config.partitions) };
    for (let p = existing.partitions.length; p < grown.partitions; p++) {
      existing.partitions.push(PartitionLog.open(join(this.root, config.name, String(p)), grown, this.log));
    }
    this.updateConfig(existing, {
      ...grown,
      retentionMs: config.retentionMs,
      retentionBytes: config.retentionBytes,
    });
    return existing;
  }

  create(config: TopicConfig): Topic {
    const error = topicNameError(config.name);
    if (error !== null) throw new Error(error);
    mkdirSync(join(this.root, config.name), { recursive: true });
    replaceFile(join(this.root, config.name, 'topic.json'), JSON.stringify(config, null, 2));
    const topic = this.openTopic(config);
    this.topics.set(config.name, topic);
    return topic;
  }

  updateConfig(topic: Topic, config: TopicConfig): void {
    topic.config = config;
    for (const p of topic.partitions) p.config = config;
    replaceFile(join(this.root, config.name, 'topic.json'), JSON.stringify(config, null, 2));
  }

  delete(name: string): boolean {
    const topic = this.topics.get(name);
    if (topic === undefined) return false;
    this.topics.delete(name);
    for (const p of topic.partitions) p.close();
    rmSync(join(this.root, name), { recursive: true, force: true });
    return true;
  }

  close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.close();
  }
}
