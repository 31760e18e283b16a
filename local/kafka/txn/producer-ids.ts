import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from '../durable-file.ts';

const BLOCK = 1000;

/**
 * Hands out producer ids that are never reused across restarts: a block is reserved on disk
 * before any id from it is given out, so a kill at any moment only skips ids.
 */
export class ProducerIds {
  private next: number;
  private reservedUpTo: number;
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'producer-ids.json');
    const saved = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, 'utf8')) as { reservedUpTo: number })
      : null;
    this.next = saved?.reservedUpTo ?? 1000;
    this.reservedUpTo = this.next;
  }

  allocate(): number {
    if (this.next >= this.reservedUpTo) {
      this.reservedUpTo = this.next + BLOCK;
      replaceFile(this.file, JSON.stringify({ reservedUpTo: this.reservedUpTo }));
    }
    return this.next++;
  }
}
