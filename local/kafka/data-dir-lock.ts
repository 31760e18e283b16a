import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Keeps two brokers off one data directory: both would append to the same segments. A lock
 * left by a killed broker names a dead process and is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, '.lock');
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, token, { flag: 'wx' });
      return () => {
        try {
          if (readFileSync(file, 'utf8') === token) rmSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8').split(':')[0]);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new Error(`dataDir ${dataDir} is in use by the broker in process ${holder}`);
      }
      if (holder === process.pid) {
        throw new Error(`dataDir ${dataDir} is in use by another broker in this process`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`dataDir ${dataDir}: could not take its lock`);
}
