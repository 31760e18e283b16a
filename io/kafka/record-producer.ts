import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { UnavailableError } from '../../core/errors/spate-error.ts';
import type { OutgoingRecord } from '../../core/events/ingest-batch.ts';

/** Most records written in one group; a few MB of events, well under a produce request's cap. */
const GROUP_RECORDS = 5000;

interface Waiter {
  readonly records: readonly OutgoingRecord[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  taken: boolean;
  timer: NodeJS.Timeout | undefined;
}

function settle(waiter: Waiter, err: unknown): void {
  clearTimeout(waiter.timer);
  if (err === undefined) waiter.resolve();
  else waiter.reject(err);
}

export class ProduceTimeoutError extends UnavailableError {
  override readonly name = 'ProduceTimeoutError';
}

export interface RecordProducerOptions {
  /** Longest wait for connect + acknowledgement of one send. */
  readonly timeoutMs: number;
  readonly compression?: 'gzip' | 'none';
}

/**
 * The one producer of a container, made on first use and reused by every invocation.
 * Idempotent with acks=all: a send resolves only once every in-sync replica has the records,
 * and retries inside kafkajs cannot duplicate them. A failed connect is retried on the next send.
 */
export class RecordProducer {
  readonly #producer: Producer;
  readonly #options: RecordProducerOptions;
  #connected: Promise<void> | undefined;
  readonly #queue: Waiter[] = [];
  #pumping = false;

  constructor(kafka: Kafka, options: RecordProducerOptions) {
    this.#options = options;
    this.#producer = kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      // murmur2 on the key, as Java clients and MSK tooling compute it: a user's partition is stable.
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded so a dead cluster fails the request within its deadline; duplicates a retry
      // could cause after giving up are removed downstream by event_id.
      retry: { retries: 3, initialRetryTime: 50, maxRetryTime: options.timeoutMs },
    });
    this.#producer.on('producer.disconnect', () => {
      this.#connected = undefined;
    });
  }

  /**
   * Writes all records, or throws; there is no partial success within one call. Calls made
   * while a write is in flight are sent together in the next one (group commit): kafkajs lets
   * an idempotent producer have one request in flight per broker, so a process serving many
   * requests at once (the local gateway) would otherwise queue them one by one.
   */
  send(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { records, resolve, reject, taken: false, timer: undefined };
      waiter.timer = setTimeout(() => {
        // Still queued: withdrawn, never sent. Already sent: its outcome is no longer awaited.
        if (!waiter.taken) this.#queue.splice(this.#queue.indexOf(waiter), 1);
        reject(new ProduceTimeoutError(`Kafka did not acknowledge within ${this.#options.timeoutMs} ms`));
      }, this.#options.timeoutMs);
      this.#queue.push(waiter);
      if (!this.#pumping) void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const group: Waiter[] = [];
        let count = 0;
        while (
          this.#queue.length > 0 &&
          (group.length === 0 || count + this.#queue[0]!.records.length <= GROUP_RECORDS)
        ) {
          const waiter = this.#queue.shift()!;
          waiter.taken = true;
          group.push(waiter);
          count += waiter.records.length;
        }
        try {
          await withDeadline(this.#options.timeoutMs, () => this.#write(group.flatMap((w) => w.records)));
          for (const w of group) settle(w, undefined);
        } catch (err) {
          for (const w of group) settle(w, err);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #write(records: readonly OutgoingRecord[]): Promise<void> {
    const byTopic = new Map<string, { key: string | null; value: string }[]>();
    for (const record of records) {
      let messages = byTopic.get(record.topic);
      if (!messages) {
        messages = [];
        byTopic.set(record.topic, messages);
      }
      messages.push({ key: record.key, value: record.value });
    }
    await this.#connect();
    await this.#producer.sendBatch({
      acks: -1,
      timeout: this.#options.timeoutMs,
      compression: this.#options.compression === 'none' ? CompressionTypes.None : CompressionTypes.GZIP,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  async disconnect(): Promise<void> {
    this.#connected = undefined;
    await this.#producer.disconnect();
  }

  #connect(): Promise<void> {
    if (!this.#connected) {
      const attempt = this.#producer.connect();
      this.#connected = attempt;
      attempt.catch(() => {
        if (this.#connected === attempt) this.#connected = undefined;
      });
    }
    return this.#connected;
  }
}

/** Waits for `work` at most `ms`; the pump must not stall behind a request that never returns. */
async function withDeadline(ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ProduceTimeoutError(`Kafka did not acknowledge within ${ms} ms`)),
      ms,
    );
  });
  const running = work();
  // A send that outlives its deadline must not surface later as an unhandled rejection.
  running.catch(() => undefined);
  try {
    await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
