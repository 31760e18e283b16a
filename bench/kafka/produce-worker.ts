/**
 * One kafkajs producer in its own thread, for the parallel-producers row of the benchmark:
 * kafkajs encodes records on the thread that sends them, so one producer is bound to one core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { preparedProducer } from './kafkajs-load.ts';

const { address, topic, records } = workerData as { address: string; topic: string; records: number };
const producer = await preparedProducer(address, topic, records);
parentPort!.once('message', async () => {
  await producer.run();
  await producer.disconnect();
  parentPort!.postMessage('done');
});
parentPort!.postMessage('ready');
