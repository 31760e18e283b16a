import { resolve } from 'node:path';
import { MisconfiguredError } from '../../core/errors/spate-error.ts';
import { DEFAULT_PORTS, type PortName, type Ports } from '../ports.ts';

/** Everything `spate local` is told, from flags first, then SPATE_* variables, then defaults. */
export interface LocalSettings {
  /** Where this package lives: component entry points are found from here. */
  readonly projectRoot: string;
  /** Relative --data-dir values are taken from the working directory. */
  readonly dataDir: string;
  readonly ports: Ports;
  readonly reset: boolean;
  readonly demo: boolean;
  readonly project: string;
}

export interface LocalFlags {
  readonly dataDir?: string;
  readonly reset?: boolean;
  readonly demo?: boolean;
  readonly ports?: Partial<Record<PortName, string | number>>;
}

export const PORT_ENV_NAMES: Record<PortName, string> = {
  gateway: 'SPATE_GATEWAY_PORT',
  websocket: 'SPATE_WEBSOCKET_PORT',
  esm: 'SPATE_ESM_PORT',
  nlp: 'SPATE_NLP_METRICS_PORT',
  kafka: 'SPATE_KAFKA_PORT',
  redis: 'SPATE_REDIS_PORT',
  clickhouse: 'SPATE_CLICKHOUSE_PORT',
  s3: 'SPATE_S3_PORT',
};

export class SettingsError extends MisconfiguredError {
  override readonly name = 'SettingsError';
}

function parsePort(name: string, raw: string | number): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new SettingsError(`${name}: must be a port number from 1 to 65535, got "${raw}"`);
  }
  return port;
}

export function readLocalSettings(
  flags: LocalFlags,
  env: NodeJS.ProcessEnv,
  projectRoot: string,
  cwd: string,
): LocalSettings {
  const ports = {} as Record<PortName, number>;
  for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
    const flag = flags.ports?.[name];
    const fromEnv = env[PORT_ENV_NAMES[name]];
    ports[name] =
      flag !== undefined
        ? parsePort(`--${name}-port`, flag)
        : fromEnv !== undefined && fromEnv !== ''
          ? parsePort(PORT_ENV_NAMES[name], fromEnv)
          : DEFAULT_PORTS[name];
  }
  const taken = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    const other = taken.get(port);
    if (other) throw new SettingsError(`--${name}-port: ${port} is already the ${other} port`);
    taken.set(port, name);
  }
  return {
    projectRoot,
    dataDir: resolve(cwd, flags.dataDir ?? env.SPATE_DATA_DIR ?? '.local'),
    ports,
    reset: flags.reset ?? false,
    demo: flags.demo ?? true,
    project: env.SPATE_PROJECT ?? 'demo',
  };
}
