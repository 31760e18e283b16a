/** The broker process's settings, read once from its command line. */
export interface BrokerProcessConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly partitions: number;
  readonly autoCreate: boolean;
}

export interface BrokerFlags {
  readonly port?: string;
  readonly host?: string;
  readonly dataDir?: string;
  readonly partitions?: string;
  readonly autoCreate?: boolean;
}

function integer(field: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${field} must be an integer in ${min}..${max}, got "${raw}"`);
  }
  return n;
}

export function brokerConfigFromFlags(flags: BrokerFlags): BrokerProcessConfig {
  if (flags.port === undefined) throw new Error('--port is required (0 picks a free port)');
  if (flags.dataDir === undefined || flags.dataDir === '') throw new Error('--data-dir is required');
  return {
    port: integer('--port', flags.port, 0, 65535),
    host: flags.host ?? '127.0.0.1',
    dataDir: flags.dataDir,
    partitions: flags.partitions === undefined ? 1 : integer('--partitions', flags.partitions, 1, 10_000),
    autoCreate: flags.autoCreate ?? false,
  };
}
