import {
  type Consumer,
  type EachBatchPayload,
  type KafkaMessage,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { eventIdentity } from '../../core/aggregation/event-digest.ts';
import type { PreparedTweet } from '../../core/nlp/enrich.ts';
import type { ModelScores, SentimentBackend } from '../../core/nlp/inference/backend.ts';
import { MicroBatcher } from '../../core/nlp/inference/micro-batcher.ts';
import { parseRawTweet } from '../../core/nlp/tweet.ts';
import { TOPICS } from '../../core/topics.ts';
import { createKafka } from '../../io/kafka/kafka-client.ts';
import { openBackend } from './backends.ts';
import type { NlpWorkerConfig } from './config.ts';
import { publishWorkerEmf } from './emf.ts';
import { EnrichedTweetIds } from './enriched-ids.ts';
import { completeTweets, createEnricher } from './enrichment.ts';
import { GroupCommit } from './group-commit.ts';
import { NlpMetrics, serveMetrics } from './metrics.ts';
import { tokenCountsOf } from './padding.ts';
import { watchRulesFile } from './rules-file.ts';
import { TransactionSizer } from './transaction-sizer.ts';
import { resolveTransactionalId } from './transactional-id.ts';
import { loadVaderLexicon } from './vader-lexicon-file.ts';

/**
 * The NLP worker: consume tweets.raw, enrich, produce tweets.enriched (and tweets.alerts)
 * in one Kafka transaction with the consumer offsets, so a crash at any point neither loses
 * nor duplicates an enriched tweet for a read_committed reader.
 */
export interface NlpWorker {
  readonly metricsPort: number;
  readonly metrics: NlpMetrics;
  readonly device: string;
  /** Finishes the in-flight batch, commits it, leaves the group. */
  stop(): Promise<void>;
}

export interface NlpWorkerLog {
  info(message: string): void;
  error(message: string): void;
}

const quietLog: NlpWorkerLog = { info: () => {}, error: () => {} };

export async function startNlpWorker(
  config: NlpWorkerConfig,
  log: NlpWorkerLog = quietLog,
): Promise<NlpWorker> {
  const metrics = new NlpMetrics();
  const lexicon = loadVaderLexicon();
  const enricher = createEnricher(config, lexicon);
  const rulesWatch =
    config.rulesFile === undefined
      ? undefined
      : watchRulesFile(
          config.rulesFile,
          (rules) => {
            enricher.setRules(rules);
            metrics.rulesReloads.inc({ outcome: 'applied' });
            log.info(`rules reloaded from ${config.rulesFile}`);
          },
          (err) => {
            metrics.rulesReloads.inc({ outcome: 'rejected' });
            log.error(`rules not reloaded, keeping the rules in force: ${err.message}`);
          },
        );

  const backend: SentimentBackend = await openBackend({
    kind: config.backend,
    lexicon,
    ...(config.modelDir !== undefined ? { modelDir: config.modelDir } : {}),
    device: config.device,
    precision: config.precision ?? 'auto',
    lengthBatching: config.lengthBatching,
  });
  metrics.gpuInUse.set(backend.device === 'cuda' ? 1 : 0);
  const tokensFed = tokenCountsOf(backend);
  if (tokensFed !== undefined) metrics.watchTokens(tokensFed);
  const batcher = new MicroBatcher<string, ModelScores>(
    (texts) => backend.infer(texts),
    (text) => backend.lengthOf(text),
    { maxBatchSize: config.maxBatchSize, maxWaitMs: config.maxWaitMs, maxQueued: config.maxQueued },
    (r) => {
      metrics.batchSize.observe(r.size);
      metrics.queueWait.observe(r.queueWaitMs / 1000);
      metrics.inference.observe(r.inferMs / 1000);
    },
  );

  const kafka = createKafka(config.kafka, {
    // Transaction commits on a busy cluster can take longer than a produce.
    requestTimeoutMs: 30_000,
    log: (level, message, detail) => {
      const line = `${message} ${JSON.stringify(detail)}`;
      if (level === 'error') log.error(line);
      else log.info(line);
    },
  });
  const transactionalId = await resolveTransactionalId(config.transactionalId);
  const producer: Producer = kafka.producer({
    // Named so kafkajs does not warn about its v2 default: the Java client's murmur2 on the tweet id.
    createPartitioner: Partitioners.DefaultPartitioner,
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: config.groupId,
    readUncommitted: false,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: Math.floor(config.sessionTimeoutMs / 3),
    rebalanceTimeout: config.rebalanceTimeoutMs,
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    metrics.keepLagOf(payload.memberAssignment[TOPICS.tweetsRaw.name] ?? []);
  });
  const server = await serveMetrics(metrics, config.metricsPort);
  const sizer = new TransactionSizer({
    targetMs: config.transactionTargetMs,
    min: Math.min(50, config.maxTransactionRecords),
    max: config.maxTransactionRecords,
  });

  const enrichedIds = new EnrichedTweetIds(config.enrichedIdWindow);

  interface EnrichedChunk {
    readonly enriched: { key: string; value: string }[];
    readonly alerts: { key: string; value: string }[];
    /** (project, tweet id) of each enriched tweet: what a copy of it shares. */
    readonly identities: string[];
    readonly timestamps: number[];
    readonly invalid: number;
    /** Copies of tweets enriched already (in a committed transaction, or earlier in this chunk). */
    readonly copies: number;
    readonly topic: string;
    readonly partition: number;
    readonly lastOffset: string;
  }

  const enrichChunk = async (
    messages: KafkaMessage[],
    topic: string,
    partition: number,
  ): Promise<EnrichedChunk> => {
    const prepared: PreparedTweet[] = [];
    const timestamps: number[] = [];
    const inChunk = new Set<string>();
    const identities: string[] = [];
    let invalid = 0;
    let copies = 0;
    for (const m of messages) {
      try {
        const raw = parseRawTweet(JSON.parse(m.value?.toString('utf8') ?? 'null'));
        // Two projects may track the same public tweet: each is its own copy to enrich.
        const identity = eventIdentity(raw.project, raw.id);
        if (enrichedIds.has(identity) || inChunk.has(identity)) {
          copies++;
          continue;
        }
        inChunk.add(identity);
        prepared.push(enricher.prepare(raw));
        identities.push(identity);
        timestamps.push(Number(m.timestamp));
      } catch (err) {
        // A malformed record is counted and skipped (its offset is committed with the batch):
        // retrying it would fail the same way and stall the partition.
        invalid++;
        log.error(`tweets.raw ${partition}@${m.offset}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const scores = await batcher.submitAll(prepared.map((p) => p.modelText));
    const { enriched, alerts } = completeTweets(enricher, prepared, scores, backend.name, new Date());
    return {
      enriched,
      alerts,
      identities,
      timestamps,
      invalid,
      copies,
      topic,
      partition,
      lastOffset: messages[messages.length - 1]!.offset,
    };
  };

  /** One transaction: the chunks' enriched tweets and alerts, and each partition's next offset. */
  const commitChunks = async (chunks: readonly EnrichedChunk[]): Promise<void> => {
    const started = performance.now();
    const enriched = chunks.flatMap((c) => c.enriched);
    const alerts = chunks.flatMap((c) => c.alerts);
    const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const c of chunks) {
      const offset = BigInt(c.lastOffset) + 1n;
      const key = `${c.topic}/${c.partition}`;
      const seen = next.get(key);
      if (seen === undefined || seen.offset < offset)
        next.set(key, { topic: c.topic, partition: c.partition, offset });
    }
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of next.values()) {
      const list = byTopic.get(topic) ?? [];
      list.push({ partition, offset: offset.toString() });
      byTopic.set(topic, list);
    }
    const txn = await producer.transaction();
    try {
      const topicMessages: { topic: string; messages: { key: string; value: string }[] }[] = [];
      if (enriched.length > 0) topicMessages.push({ topic: TOPICS.tweetsEnriched.name, messages: enriched });
      if (alerts.length > 0) topicMessages.push({ topic: TOPICS.tweetsAlerts.name, messages: alerts });
      if (topicMessages.length > 0) await txn.sendBatch({ topicMessages });
      await txn.sendOffsets({
        consumerGroupId: config.groupId,
        topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
    metrics.transaction.observe((performance.now() - started) / 1000);
    const committedAt = Date.now();
    for (const chunk of chunks) {
      enrichedIds.remember(chunk.identities);
      if (chunk.copies > 0) metrics.tweets.inc({ outcome: 'copy' }, chunk.copies);
      for (const timestamp of chunk.timestamps) {
        if (Number.isFinite(timestamp))
          metrics.tweetLatency.observe(Math.max(0, committedAt - timestamp) / 1000);
      }
      if (chunk.invalid > 0) metrics.tweets.inc({ outcome: 'invalid' }, chunk.invalid);
    }
    metrics.countEnriched(enriched.length, committedAt);
    if (alerts.length > 0) metrics.alerts.inc(alerts.length);
  };
  const transactions = new GroupCommit<EnrichedChunk>(commitChunks);

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, pause } = payload;
    const { topic, partition, messages } = batch;
    metrics.setLag(partition, Number(batch.offsetLagLow()) + 1);
    // Chunk n+1 is enriched while chunk n's transaction is on the wire. A chunk commits only
    // after every chunk before it has: a failed transaction stops the chain, and the
    // partition restarts from the last committed offset.
    let committing: Promise<void> = Promise.resolve();
    let failed = false;
    try {
      for (let i = 0; i < messages.length; ) {
        // After a rebalance or stop, what is not yet committed is left for the next owner.
        if (!isRunning() || isStale() || failed) return;
        if (batcher.full) {
          // Backpressure: stop fetching this partition until the model catches up.
          const resume = pause();
          await batcher.drain();
          resume();
        }
        const slice = messages.slice(i, i + sizer.size);
        i += slice.length;
        const started = performance.now();
        const chunk = await enrichChunk(slice, topic, partition);
        sizer.observe(slice.length, performance.now() - started);
        committing = committing
          .then(() => transactions.submit(chunk))
          .then(() => resolveOffset(chunk.lastOffset));
        committing.catch(() => {
          failed = true;
        });
        await heartbeat();
      }
    } finally {
      await committing;
    }
    metrics.setLag(partition, Math.max(0, Number(batch.offsetLag())));
  };

  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.tweetsRaw.name, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.partitionsConcurrently,
    eachBatch,
  });
  const stopEmf = config.emf === undefined ? undefined : publishWorkerEmf(metrics, config.emf);
  log.info(
    `nlp worker consuming ${TOPICS.tweetsRaw.name} as ${config.groupId}, transactional id ${transactionalId} (${backend.name} on ${backend.device})`,
  );

  let stopping: Promise<void> | undefined;
  return {
    metricsPort: server.port,
    metrics,
    device: backend.device,
    stop: () => {
      stopping ??= (async () => {
        // kafkajs lets the running eachBatch finish before it leaves the group.
        await consumer.disconnect();
        await transactions.idle();
        await producer.disconnect();
        await batcher.drain();
        await backend.close();
        rulesWatch?.close();
        await server.close();
        stopEmf?.();
      })();
      return stopping;
    },
  };
}
