import { renameSync, writeFileSync } from 'node:fs';

/** Replaces a small state file whole: a kill mid-write leaves the old one, never half of the new. */
export function replaceFile(path: string, contents: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}
