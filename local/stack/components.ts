import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { redisComponent } from '../redis/spec.ts';
import type { ComponentSpec } from '../supervisor/component.ts';
import type { LocalSettings } from './settings.ts';

/** A TypeScript entry of this project run as its own Node process, tied to the supervisor. */
function nodeComponent(
  settings: LocalSettings,
  name: string,
  entry: string,
  args: readonly string[],
  port: number,
  env?: Readonly<Record<string, string>>,
): ComponentSpec {
  return {
    name,
    command: process.execPath,
    args: ['--import', 'tsx', join(settings.projectRoot, entry), '--port', String(port), ...args],
    cwd: settings.projectRoot,
    env,
    port,
    ipc: true,
    startTimeoutMs: 60_000,
  };
}

/**
 * The servers of the local mirror, each a child process: each can crash, be killed in a fault
 * test, and be restarted without taking the gateway down. chDB in particular blocks its
 * thread while a query runs, so it never shares the gateway's event loop.
 */
export function serverComponents(settings: LocalSettings, redisServer: string): ComponentSpec[] {
  const { ports, dataDir } = settings;
  return [
    nodeComponent(
      settings,
      'kafka',
      'local/kafka/main.ts',
      ['--data-dir', join(dataDir, 'kafka')],
      ports.kafka,
    ),
    redisComponent(redisServer, ports.redis, join(dataDir, 'redis')),
    nodeComponent(
      settings,
      'clickhouse',
      'local/clickhouse/main.ts',
      ['--data-dir', join(dataDir, 'clickhouse')],
      ports.clickhouse,
    ),
    nodeComponent(settings, 's3', 'local/s3/main.ts', ['--data-dir', join(dataDir, 's3')], ports.s3),
  ];
}

/**
 * The functions fed by event source mappings (core/mappings.ts), in the emulator's process with
 * the environment Lambda would give them. Started once the servers they read and write answer.
 */
export function mappedFunctionsComponent(
  settings: LocalSettings,
  functionEnv: Readonly<Record<string, string>>,
): ComponentSpec {
  return nodeComponent(
    settings,
    'esm',
    'local/esm/main.ts',
    ['--brokers', `127.0.0.1:${settings.ports.kafka}`],
    settings.ports.esm,
    functionEnv,
  );
}

/**
 * The tweet NLP worker (an ECS GPU service on AWS) as a process on CPU: tweets.raw in,
 * tweets.enriched out, in Kafka transactions. Ready once its metrics port answers.
 */
export function nlpWorkerComponent(settings: LocalSettings): ComponentSpec {
  return {
    name: 'nlp',
    command: process.execPath,
    args: [join(settings.projectRoot, 'bin/spate.js'), 'nlp'],
    cwd: settings.projectRoot,
    env: {
      SPATE_KAFKA_BROKERS: `127.0.0.1:${settings.ports.kafka}`,
      SPATE_NLP_METRICS_PORT: String(settings.ports.nlp),
    },
    port: settings.ports.nlp,
    ipc: true,
    startTimeoutMs: 60_000,
  };
}

/**
 * Compaction of the cold tier (a scheduled function on AWS): every hour, the archive's objects
 * of days before the current UTC day become Parquet objects (io/s3/compaction.ts).
 */
export function compactionComponent(
  settings: LocalSettings,
  functionEnv: Readonly<Record<string, string>>,
): ComponentSpec {
  return {
    name: 'compact',
    command: process.execPath,
    args: [join(settings.projectRoot, 'bin/spate.js'), 'compact', '--every', '3600'],
    cwd: settings.projectRoot,
    env: functionEnv,
    ipc: true,
  };
}

/**
 * Demo traffic for `npm start`: a steady trickle of shoppers and tweets through the public
 * endpoint, so the dashboard moves from the first second. A new seed each start keeps it lively.
 */
export function demoTrafficComponent(settings: LocalSettings, seed: number): ComponentSpec {
  return {
    name: 'demo',
    command: process.execPath,
    args: [
      join(settings.projectRoot, 'bin/spate.js'),
      'load',
      ...['--data-dir', settings.dataDir, '--duration', '0', '--rate', '20', '--tweets-rate', '2'],
      ...['--users', '500', '--batch-size', '20', '--concurrency', '2', '--seed', String(seed)],
    ],
    cwd: settings.projectRoot,
    ipc: true,
  };
}

/**
 * The HTTP API as several processes on one port (Lambda runs many containers of a function at
 * once; one process would cap ingest at what one core can parse), and the WebSocket API as one.
 */
export function gatewayComponents(
  settings: LocalSettings,
  functionEnv: Readonly<Record<string, string>>,
  healthUrl: string,
  staticDir: string | undefined,
): ComponentSpec[] {
  const workers = Math.min(4, Math.max(2, availableParallelism()));
  const entry = 'local/stack/gateway-main.ts';
  return [
    nodeComponent(
      settings,
      'http-api',
      entry,
      [
        '--apis',
        'http',
        '--workers',
        String(workers),
        '--health-url',
        healthUrl,
        ...(staticDir ? ['--static-dir', staticDir] : []),
      ],
      settings.ports.gateway,
      functionEnv,
    ),
    nodeComponent(
      settings,
      'websocket-api',
      entry,
      ['--apis', 'websocket'],
      settings.ports.websocket,
      functionEnv,
    ),
  ];
}
