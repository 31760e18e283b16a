import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../ports.ts';

/** What the emulator process is told: from its flags, then SPATE_* variables, then defaults. */
export interface EsmConfig {
  /** Port of the status endpoint (GET /health, GET /status); 0 picks a free one. */
  readonly port: number;
  readonly brokers: readonly string[];
  /** Only these mappings, by function name; undefined runs every mapping. */
  readonly functions: readonly string[] | undefined;
  /** Folder holding <functionName>/handler.ts; undefined means the project's lambdas/. */
  readonly handlersDir: string | undefined;
}

export const ESM_USAGE =
  'usage: local/esm/main.ts [--port N] [--brokers host:port,...] [--functions name,...]\n' +
  '  --port       status endpoint port (GET /health, GET /status); env SPATE_ESM_PORT; default 0 (any free)\n' +
  `  --brokers    broker list; env SPATE_KAFKA_BROKERS; default 127.0.0.1:${DEFAULT_PORTS.kafka}\n` +
  '  --functions  run only these mappings; env SPATE_ESM_FUNCTIONS; default all of core/mappings.ts\n' +
  "  --handlers-dir  folder of <function>/handler.ts; default the project's lambdas/\n";

function parsePort(field: string, raw: string): number {
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${field}: must be a port number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

function parseList(field: string, raw: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new Error(`${field}: must list at least one entry, got "${raw}"`);
  return items;
}

function parseBrokers(field: string, raw: string): string[] {
  const brokers = parseList(field, raw);
  for (const b of brokers) {
    const match = /^(.+):(\d+)$/.exec(b);
    if (!match) throw new Error(`${field}: "${b}" is not host:port`);
    parsePort(field, match[2]!);
  }
  return brokers;
}

export function readEsmConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): EsmConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      brokers: { type: 'string' },
      functions: { type: 'string' },
      'handlers-dir': { type: 'string' },
    },
    strict: true,
  });
  const pick = (flag: string | undefined, flagName: string) =>
    flag !== undefined ? { field: `--${flagName}`, raw: flag } : undefined;
  const port = pick(values.port, 'port') ?? fromEnv(env, 'SPATE_ESM_PORT');
  const brokers = pick(values.brokers, 'brokers') ?? fromEnv(env, 'SPATE_KAFKA_BROKERS');
  const functions = pick(values.functions, 'functions') ?? fromEnv(env, 'SPATE_ESM_FUNCTIONS');
  return {
    port: port ? parsePort(port.field, port.raw) : 0,
    brokers: brokers ? parseBrokers(brokers.field, brokers.raw) : [`127.0.0.1:${DEFAULT_PORTS.kafka}`],
    functions: functions ? parseList(functions.field, functions.raw) : undefined,
    handlersDir: nonEmpty('--handlers-dir', values['handlers-dir']),
  };
}

function fromEnv(env: Readonly<Record<string, string | undefined>>, name: string) {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : { field: name, raw };
}

function nonEmpty(field: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === '') throw new Error(`${field}: must not be empty`);
  return raw;
}
