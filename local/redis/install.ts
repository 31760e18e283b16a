import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UnavailableError } from '../../core/errors/spate-error.ts';

export class RedisServerMissingError extends UnavailableError {
  override readonly name = 'RedisServerMissingError';
}

export function findRedisServer(pathEnv: string | undefined): string | undefined {
  const dirs = [...(pathEnv ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/opt/homebrew/bin'];
  return dirs.map((dir) => join(dir, 'redis-server')).find((candidate) => existsSync(candidate));
}

/**
 * The local hot tier needs Debian's (or Homebrew's) redis-server. As root on Debian/Ubuntu
 * it is installed with apt-get, saying so; anywhere else we stop and print the command.
 */
export function ensureRedisServer(pathEnv: string | undefined, say: (message: string) => void): string {
  const found = findRedisServer(pathEnv);
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const isDebian = existsSync('/etc/debian_version');
  if (isRoot && isDebian) {
    say('redis-server is not installed: installing it with apt-get (Debian package redis-server)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let result = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
    if (result.status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      result = spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
    }
    const installed = findRedisServer(pathEnv);
    if (result.status === 0 && installed) return installed;
  }
  const command =
    process.platform === 'darwin'
      ? 'brew install redis'
      : isDebian
        ? 'sudo apt-get install -y redis-server'
        : "install your distribution's redis-server package";
  throw new RedisServerMissingError(`redis-server is not installed. Run: ${command}`);
}
