import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The chDB addon's own entry points. The package's public wrappers re-escape query
 * parameters and restrict insert formats and SQL to a whitelist, whereas the HTTP
 * interface must hand the engine exactly what the client sent: parameter values already
 * in ClickHouse's escaped text form and any `INSERT ... FORMAT X` prefix. These calls run
 * on libuv's pool and resolve when the engine is done.
 */
export interface NativeQueryResult {
  readonly bytes: Uint8Array;
  readonly elapsed: number;
  readonly rowsRead: number;
  readonly bytesRead: number;
}

export interface NativeInsertResult {
  readonly elapsed: number;
  readonly rowsWritten: number;
  readonly bytesWritten: number;
}

export type NativeConnection = { readonly __brand: 'chdb-connection' };

export interface ChdbNative {
  CreateConnection(path: string): NativeConnection;
  CloseConnection(connection: NativeConnection): void;
  QueryAsyncConnection(
    connection: NativeConnection,
    sql: string,
    format: string,
    params?: Readonly<Record<string, string>>,
  ): Promise<NativeQueryResult>;
  InsertRawAsyncConnection(
    connection: NativeConnection,
    prefix: string,
    data: Uint8Array,
    countLines: boolean,
  ): Promise<NativeInsertResult>;
}

const require = createRequire(import.meta.url);

export function loadChdbNative(): ChdbNative {
  // The loader is not in the package's export map; resolve it beside the package entry.
  const loader = require(join(dirname(require.resolve('chdb')), 'dist', 'loader.js')) as {
    loadNative(): ChdbNative;
  };
  return loader.loadNative();
}
