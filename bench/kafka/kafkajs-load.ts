import { Kafka, logLevel } from 'kafkajs';

export const RECORD_BYTES = 200;
export const BATCH = 1000;
/** Sends one client keeps in flight: enough to overlap encoding with the broker's work. */
export const IN_FLIGHT = 4;
const WARM_UP_BATCHES = 20;

function client(address: string): Kafka {
  return new Kafka({ clientId: 'bench', brokers: [address], logLevel: logLevel.NOTHING });
}

/** A connected kafkajs producer, warmed up (metadata, connection, JIT), and the timed run. */
export async function preparedProducer(address: string, topic: string, records: number) {
  const producer = client(address).producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const messages = Array.from({ length: BATCH }, () => ({ value: Buffer.alloc(RECORD_BYTES, 'x') }));
  for (let i = 0; i < WARM_UP_BATCHES; i++)
    await producer.send({ topic: `${topic}.warm-up`, acks: -1, messages });
  return {
    /** Sends `records` in batches of BATCH with acks=all; resolves with the seconds it took. */
    async run(): Promise<number> {
      const batches = records / BATCH;
      const started = performance.now();
      let next = 0;
      const sender = async () => {
        while (next < batches) {
          next++;
          await producer.send({ topic, acks: -1, messages });
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
      return (performance.now() - started) / 1000;
    },
    disconnect: () => producer.disconnect(),
  };
}

/** Reads `expected` records with a consumer group; seconds from the first batch to the last. */
export async function consumeWithKafkajs(address: string, topic: string, expected: number): Promise<number> {
  const consumer = client(address).consumer({
    groupId: `bench-${topic}-${Date.now()}`,
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let started = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (started === 0) started = performance.now();
        seen += batch.messages.length;
        if (seen >= expected) resolve();
      },
    });
  });
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return seconds;
}
