import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type BusinessRules, parseBusinessRules } from '../../core/nlp/business-rules.ts';

/**
 * The business-rules file, reloaded when it changes. Editors replace files by rename, so
 * the directory is watched rather than the file. A bad edit is reported and the rules in
 * force stay.
 */
export function readRulesFile(path: string): BusinessRules {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`rules file ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseBusinessRules(json);
}

export function watchRulesFile(
  path: string,
  onRules: (rules: BusinessRules) => void,
  onError: (err: Error) => void,
): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    timer = undefined;
    try {
      onRules(readRulesFile(path));
    } catch (err) {
      onError(err instanceof Error ? err : new Error(String(err)));
    }
  };
  const watcher: FSWatcher = watch(dirname(path), (_event, name) => {
    if (name !== null && name !== basename(path)) return;
    // A save is often several events; reload once they settle.
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(reload, 50);
  });
  return {
    close: () => {
      if (timer !== undefined) clearTimeout(timer);
      watcher.close();
    },
  };
}
