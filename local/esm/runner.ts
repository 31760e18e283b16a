import type { Consumer, Producer } from 'kafkajs';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { MappingDefinition } from '../../core/mappings.ts';
import { topicByName } from '../../core/topics.ts';
import { validateBatchingRules } from './batching.ts';
import type { FailureRecord } from './failure-record.ts';
import type { EsmLogger } from './logger.ts';
import { stderrLogger } from './logger.ts';
import type { MappingStatus } from './mapping-status.ts';
import { MappingCounters } from './mapping-status.ts';
import { localCluster } from './msk-event.ts';
import type { MskHandler } from './partition-feed.ts';
import { PartitionFeed } from './partition-feed.ts';
import { DEFAULT_BACKOFF, validateRetryPolicy } from './retry-policy.ts';

export interface MappedHandler {
  readonly definition: MappingDefinition;
  readonly handler: MskHandler;
}

export interface MappingRunnerOptions {
  /** host:port of the brokers, also reported to handlers as the event's bootstrapServers. */
  readonly brokers: readonly string[];
  readonly mappings: ReadonlyArray<MappedHandler>;
  readonly logger?: EsmLogger;
  /**
   * Partitions of one mapping whose batches are handled at the same time.
   * @default the topic's partition count: MSK invokes a mapping's function for every partition
   * at once, so one partition's batching window never holds another's records back (4 for a
   * topic that core/topics.ts does not define).
   */
  readonly partitionConcurrency?: number;
  /** Backoff between retries; the number of retries comes from each mapping. */
  readonly backoff?: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  /**
   * How long the broker may hold an empty fetch; bounds how long stop() waits. A parked fetch
   * also holds the connection's next request (an offset commit answers after it), so records
   * arriving then could wait this long. @default 100
   */
  readonly fetchWaitMs?: number;
  readonly clientId?: string;
  /** The functions' timeout; a batch whose handler runs longer is retried. @default 60_000 */
  readonly handlerTimeoutMs?: number;
}

export interface MappingRunner {
  /** Stops every consumer; a batch still in its retries is left uncommitted for next time. */
  stop(): Promise<void>;
  status(): MappingStatus[];
}

interface RunningMapping {
  readonly consumer: Consumer;
  readonly counters: MappingCounters;
}

function kafkaLogCreator(logger: EsmLogger) {
  return () =>
    ({ level, log }: { level: number; log: { message: string; [k: string]: unknown } }) => {
      const { message, timestamp: _t, logger: _l, ...fields } = log;
      if (level <= logLevel.ERROR) logger.error(`kafkajs: ${message}`, fields);
      else if (level === logLevel.WARN) logger.warn(`kafkajs: ${message}`, fields);
      else logger.info(`kafkajs: ${message}`, fields);
    };
}

function validateOptions(options: MappingRunnerOptions): void {
  if (options.brokers.length === 0) throw new Error('brokers: must list at least one host:port');
  const groups = new Set<string>();
  options.mappings.forEach(({ definition }, i) => {
    const where = `mappings[${i}] (${definition.functionName})`;
    validateBatchingRules(definition, where);
    validateRetryPolicy({ maxRetries: definition.maxRetries, ...DEFAULT_BACKOFF }, where);
    if (groups.has(definition.groupId))
      throw new Error(`${where}.groupId: ${definition.groupId} is used twice`);
    groups.add(definition.groupId);
  });
  const timeout = options.handlerTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout <= 0)) {
    throw new Error(`handlerTimeoutMs: must be a positive number of milliseconds, got ${timeout}`);
  }
  if (options.backoff) validateRetryPolicy({ maxRetries: 0, ...options.backoff }, 'backoff');
  const concurrency = options.partitionConcurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new Error(`partitionConcurrency: must be a positive integer, got ${concurrency}`);
  }
}

/**
 * Runs one kafkajs consumer group per mapping and feeds each handler MSK events, the way
 * Lambda's MSK event source mapping does on AWS.
 */
export async function startMappingRunner(options: MappingRunnerOptions): Promise<MappingRunner> {
  validateOptions(options);
  const logger = options.logger ?? stderrLogger;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const cluster = localCluster(options.brokers);
  const kafka = new Kafka({
    clientId: options.clientId ?? 'spate-esm',
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
  const stopSignal = new AbortController();
  const running: RunningMapping[] = [];
  let producer: Producer | undefined;
  let stopped: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopSignal.abort();
      for (const m of running) m.counters.state = 'stopping';
      const results = await Promise.allSettled([
        ...running.map((m) => m.consumer.disconnect()),
        ...(producer ? [producer.disconnect()] : []),
      ]);
      for (const m of running) m.counters.state = 'stopped';
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })();
    return stopped;
  };

  try {
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: false });
    await producer.connect();
    const failureProducer = producer;

    for (const { definition, handler } of options.mappings) {
      const counters = new MappingCounters(definition.functionName, definition.topic, definition.groupId);
      const consumer = kafka.consumer({
        groupId: definition.groupId,
        maxWaitTimeInMs: options.fetchWaitMs ?? 100,
        // Room for a whole 6 MB event in one fetch, so large batch sizes fill up as on AWS.
        maxBytesPerPartition: 8 * 1024 * 1024,
        maxBytes: 64 * 1024 * 1024,
        allowAutoTopicCreation: false,
        // A member that died (a killed process) holds its partitions until its session
        // expires; a short session lets a restarted emulator take them back within seconds.
        sessionTimeout: 10_000,
        heartbeatInterval: 2_000,
      });
      running.push({ consumer, counters });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        if (counters.state === 'starting' || counters.state === 'crashed') counters.state = 'running';
      });
      consumer.on(consumer.events.CRASH, (event) => {
        const error = String(event.payload.error);
        counters.noteError(error);
        if (!stopSignal.signal.aborted) counters.state = event.payload.restart ? 'starting' : 'crashed';
        logger.error('consumer crashed', {
          functionName: definition.functionName,
          error,
          restart: event.payload.restart,
        });
      });

      const publishFailure = async (record: FailureRecord): Promise<void> => {
        await failureProducer.send({
          topic: definition.onFailureTopic,
          acks: -1,
          messages: [
            {
              key: `${record.source.topic}-${record.source.partition}`,
              value: JSON.stringify(record),
              headers: {
                'spate-function': definition.functionName,
                'spate-error-type': record.error.errorType,
              },
            },
          ],
        });
      };
      const feed = new PartitionFeed({
        definition,
        handler,
        cluster,
        retry: { maxRetries: definition.maxRetries, ...backoff },
        counters,
        logger,
        publishFailure,
        signal: stopSignal.signal,
        timeoutMs: options.handlerTimeoutMs ?? 60_000,
      });

      await consumer.connect();
      await consumer.subscribe({
        topics: [definition.topic],
        fromBeginning: definition.startingPosition === 'TRIM_HORIZON',
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently:
          options.partitionConcurrency ?? topicByName(definition.topic)?.partitions ?? 4,
        eachBatch: feed.eachBatch,
      });
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    stop,
    status: () => running.map((m) => m.counters.snapshot()),
  };
}
