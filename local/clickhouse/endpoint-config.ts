import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../ports.ts';
import type { ClickHouseEndpointOptions } from './index.ts';

export const USAGE =
  'usage: main.ts --data-dir DIR [--port N] [--host ADDR] [--user NAME --password SECRET] [--pool-size N]';

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return Number(raw);
}

/** The endpoint process's configuration, read once from its command line. */
export function readEndpointConfig(argv: readonly string[]): ClickHouseEndpointOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'pool-size': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const dataDir = values['data-dir'];
  if (!dataDir) throw new Error(`--data-dir is required (where chDB keeps its data)\n${USAGE}`);
  if (values.password !== undefined && values.user === undefined) {
    throw new Error('--password needs --user (the user it belongs to)');
  }
  return {
    port: values.port === undefined ? DEFAULT_PORTS.clickhouse : integer('port', values.port, 0, 65535),
    dataDir,
    ...(values.host ? { host: values.host } : {}),
    ...(values.user ? { users: { [values.user]: values.password ?? '' } } : {}),
    ...(values['pool-size'] ? { poolSize: integer('pool-size', values['pool-size'], 1, 64) } : {}),
  };
}
