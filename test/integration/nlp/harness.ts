import { type ChildProcess, spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '../../../core/topics.ts';

/** Test helpers for the NLP worker against the local broker. */
export const silentKafka = (port: number, clientId: string) =>
  new Kafka({ clientId, brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });

export async function produceTweets(
  port: number,
  tweets: readonly { id: string; text: string }[],
): Promise<void> {
  const producer = silentKafka(port, 'nlp-test-producer').producer();
  await producer.connect();
  try {
    for (let i = 0; i < tweets.length; i += 500) {
      await producer.send({
        topic: TOPICS.tweetsRaw.name,
        messages: tweets.slice(i, i + 500).map((t) => ({ key: t.id, value: JSON.stringify(t) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads a topic as a read_committed consumer, collecting records, until `done` holds or the time is up. */
export async function readCommitted<T>(
  port: number,
  topic: string,
  done: (records: T[]) => boolean,
  timeoutMs: number,
): Promise<T[]> {
  const consumer = silentKafka(port, 'nlp-test-reader').consumer({
    groupId: `nlp-test-reader-${Math.random().toString(36).slice(2)}`,
    readUncommitted: false,
  });
  const records: T[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length} records of ${topic} before the time ran out`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            records.push(JSON.parse(message.value?.toString('utf8') ?? 'null') as T);
            if (done(records)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export function makeTweets(n: number, prefix: string): { id: string; text: string }[] {
  const texts = [
    'Loving the new phone, battery lasts forever 😍',
    'My package is three days late and nobody answers, terrible 😡',
    'Store opens at 9 tomorrow https://acme.example/hours',
    'El envío llegó tarde otra vez',
    'What a match tonight!!! #football',
  ];
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    text: `${texts[i % texts.length]} (${i})`,
  }));
}

/** Starts `spate nlp` as its own process and resolves once it announces readiness. */
export function spawnWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/spate.js', 'nlp'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"event":"ready"')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)));
  });
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
