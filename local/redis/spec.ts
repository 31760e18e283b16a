import type { ComponentSpec } from '../supervisor/component.ts';

/**
 * redis-server on its own port and data dir. Append-only persistence so the hot tier
 * survives a restart of the local stack, as ElastiCache survives a client restart.
 */
export function redisComponent(binary: string, port: number, dataDir: string): ComponentSpec {
  return {
    name: 'redis',
    command: binary,
    port,
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dataDir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--protected-mode',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
  };
}
