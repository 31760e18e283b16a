import { createServer, type Socket } from 'node:net';
import type { TopicDefinition } from '../../core/topics.ts';
import { ALL_TOPICS } from '../../core/topics.ts';
import { Broker, type BrokerLogger, DEFAULT_SETTINGS } from './broker.ts';
import { ClientConnection } from './connection.ts';

export interface BrokerOptions {
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly dataDir: string;
  /** Topics created at start; default every topic of core/topics.ts. */
  readonly topics?: readonly TopicDefinition[];
  /** Create unknown topics on first Metadata/Produce (default false). */
  readonly autoCreate?: boolean;
  /** Partitions of auto-created topics and of CreateTopics with -1 (default 1). */
  readonly defaultPartitions?: number;
  readonly logger?: BrokerLogger;
  /** Host put in Metadata; default the address each client connected to. */
  readonly advertisedHost?: string;
  /** Delay before an empty group's first rebalance completes, to gather members (default 0). */
  readonly initialRebalanceDelayMs?: number;
  /** Roll a partition's segment past this size (default 64 MiB). */
  readonly segmentBytes?: number;
  /** How often retention runs (default 60 s). */
  readonly retentionCheckMs?: number;
}

export interface RunningBroker {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

const stderrLogger: BrokerLogger = {
  info: (m) => process.stderr.write(`[broker] ${m}\n`),
  warn: (m) => process.stderr.write(`[broker] ${m}\n`),
};

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error(`port must be an integer in 0..65535, got ${options.port}`);
  }
  if (options.dataDir === '') throw new Error('dataDir must not be empty');
  const host = options.host ?? '127.0.0.1';
  const broker = new Broker({
    dataDir: options.dataDir,
    topics: options.topics ?? ALL_TOPICS,
    autoCreate: options.autoCreate ?? DEFAULT_SETTINGS.autoCreate,
    defaultPartitions: positiveInt(
      'defaultPartitions',
      options.defaultPartitions ?? DEFAULT_SETTINGS.defaultPartitions,
    ),
    logger: options.logger ?? stderrLogger,
    initialRebalanceDelayMs: options.initialRebalanceDelayMs ?? DEFAULT_SETTINGS.initialRebalanceDelayMs,
    segmentBytes: positiveInt('segmentBytes', options.segmentBytes ?? DEFAULT_SETTINGS.segmentBytes),
    retentionCheckMs: positiveInt(
      'retentionCheckMs',
      options.retentionCheckMs ?? DEFAULT_SETTINGS.retentionCheckMs,
    ),
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new ClientConnection(socket, broker, options.advertisedHost);
  });
  server.maxConnections = 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    broker.close();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }).then(() => broker.close());
      return closing;
    },
  };
}
