import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createRequestHandler } from './server.ts';
import { acquireEngine } from './shared-engine.ts';

export interface ClickHouseEndpointOptions {
  /** Interface to listen on; defaults to 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Where chDB keeps its databases; created if missing, reused across restarts. */
  readonly dataDir: string;
  /** user -> password; when absent, any credentials are accepted. */
  readonly users?: Readonly<Record<string, string>>;
  /** chDB connections serving requests without a session (default 2). */
  readonly poolSize?: number;
  /** Largest request body accepted, in bytes (default 512 MiB). */
  readonly maxBodyBytes?: number;
  /** Called once if the engine thread dies; the endpoint then fails every statement. */
  readonly onEngineFailure?: (reason: string) => void;
}

export interface ClickHouseEndpoint {
  readonly port: number;
  readonly url: string;
  /** Stops accepting requests, lets running statements finish, and closes chDB. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 512 * 1024 * 1024;

/**
 * ClickHouse's HTTP interface in front of chDB. chDB binds one data directory per
 * process: endpoints started in one process on the same directory share one engine thread
 * (pool size and failure callback come from the first), and a different directory is
 * refused while one is open.
 */
export async function startClickHouseEndpoint(
  options: ClickHouseEndpointOptions,
): Promise<ClickHouseEndpoint> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const lease = await acquireEngine({
    dataDir,
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
    ...(options.onEngineFailure ? { onFailure: options.onEngineFailure } : {}),
  });
  const { engine } = lease;
  const server = createServer(
    createRequestHandler(engine, {
      ...(options.users ? { users: options.users } : {}),
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      displayName: 'spate-chdb',
    }),
  );
  // Clients read the advertised keep-alive timeout to retire idle sockets before the server does.
  server.keepAliveTimeout = 10_000;
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (err) {
    await lease.release();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${urlHost}:${port}`,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeAllConnections();
        await stopped;
        await lease.release();
      })();
      return closing;
    },
  };
}
