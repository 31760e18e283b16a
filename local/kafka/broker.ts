import { mkdirSync } from 'node:fs';
import type { TopicDefinition } from '../../core/topics.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { GroupCoordinator } from './groups/group-coordinator.ts';
import type { PartitionLog } from './log/partition-log.ts';
import {
  configFromDefinition,
  DEFAULT_SEGMENT_BYTES,
  type Topic,
  type TopicConfig,
  TopicStore,
} from './log/topic-store.ts';
import { buildControlBatch } from './protocol/record-batch.ts';
import { TransactionCoordinator } from './txn/transaction-coordinator.ts';

export interface BrokerLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface BrokerSettings {
  readonly dataDir: string;
  readonly topics: readonly TopicDefinition[];
  readonly autoCreate: boolean;
  readonly defaultPartitions: number;
  readonly logger: BrokerLogger;
  /** Wait for more members before the first rebalance of an empty group (Kafka: 3 s). */
  readonly initialRebalanceDelayMs: number;
  readonly segmentBytes: number;
  readonly retentionCheckMs: number;
}

export const NODE_ID = 0;
export const CLUSTER_ID = 'spate-local';

/** The broker's state: topics and their logs, consumer groups, transactions. No sockets here. */
export class Broker {
  readonly topics: TopicStore;
  readonly groups: GroupCoordinator;
  readonly txns: TransactionCoordinator;
  private readonly retentionTimer: NodeJS.Timeout;
  private readonly unlock: () => void;

  constructor(readonly settings: BrokerSettings) {
    mkdirSync(settings.dataDir, { recursive: true });
    this.unlock = lockDataDir(settings.dataDir);
    try {
      this.topics = new TopicStore(settings.dataDir, (m) => settings.logger.warn(m));
      for (const def of settings.topics) {
        this.topics.ensure({ ...configFromDefinition(def), segmentBytes: settings.segmentBytes });
      }
      this.groups = new GroupCoordinator(settings.dataDir, settings.initialRebalanceDelayMs);
      this.txns = new TransactionCoordinator(settings.dataDir, {
        writeMarker: (t, p, pid, epoch, commit) => this.writeMarker(t, p, pid, epoch, commit),
        commitOffsets: (g, entries) => this.groups.commit(g, entries),
        topicExists: (t, p) => this.partition(t, p) !== undefined,
      });
      this.abortOrphanTransactions();
    } catch (err) {
      this.unlock();
      throw err;
    }
    this.retentionTimer = setInterval(() => this.enforceRetention(), settings.retentionCheckMs);
    this.retentionTimer.unref();
  }

  /**
   * A transaction still open in a log after a restart lost its coordinator state with the
   * old process; aborting it lets read_committed consumers move past it.
   */
  private abortOrphanTransactions(): void {
    for (const topic of this.topics.all()) {
      topic.partitions.forEach((log, p) => {
        for (const pid of log.producers.openProducers()) {
          this.settings.logger.warn(
            `aborting transaction of producer ${pid} left open in ${topic.config.name}-${p}`,
          );
          this.writeMarker(topic.config.name, p, pid, 0, false);
        }
      });
    }
  }

  enforceRetention(now = Date.now()): void {
    for (const topic of this.topics.all()) for (const p of topic.partitions) p.enforceRetention(now);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  newTopicConfig(name: string, partitions = this.settings.defaultPartitions): TopicConfig {
    return {
      name,
      partitions,
      retentionMs: 7 * 24 * 3_600_000,
      retentionBytes: -1,
      segmentBytes: this.settings.segmentBytes,
      logAppendTime: false,
    };
  }

  /** The topic, created with the default partition count when auto-create is on. */
  topicOrAutoCreate(name: string, allowAutoCreate: boolean): Topic | undefined {
    const existing = this.topics.get(name);
    if (existing !== undefined || !allowAutoCreate || !this.settings.autoCreate) return existing;
    try {
      const created = this.topics.create(this.newTopicConfig(name));
      this.settings.logger.info(`auto-created topic ${name} with ${created.config.partitions} partitions`);
      return created;
    } catch {
      return undefined;
    }
  }

  writeMarker(topic: string, partition: number, producerId: number, epoch: number, commit: boolean): void {
    const log = this.partition(topic, partition);
    if (log === undefined) return;
    const now = Date.now();
    log.append(buildControlBatch({ producerId, producerEpoch: epoch, commit, timestamp: now }), now);
  }

  close(): void {
    clearInterval(this.retentionTimer);
    this.groups.close();
    this.txns.close();
    this.topics.close();
    this.unlock();
  }
}

export const DEFAULT_SETTINGS = {
  autoCreate: false,
  defaultPartitions: 1,
  initialRebalanceDelayMs: 0,
  segmentBytes: DEFAULT_SEGMENT_BYTES,
  retentionCheckMs: 60_000,
} as const;
