import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRulesFile, watchRulesFile } from '../../../containers/nlp/rules-file.ts';
import type { BusinessRules } from '../../../core/nlp/business-rules.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function waitFor<T>(get: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const v = get();
      if (v !== undefined) resolve(v);
      else if (Date.now() - started > timeoutMs) reject(new Error('timed out'));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

describe('business rules file', () => {
  it('reloads on change, also when an editor replaces the file, and keeps going after a bad edit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spate-nlp-rules-'));
    dirs.push(dir);
    const path = join(dir, 'rules.json');
    writeFileSync(path, JSON.stringify({ alertThreshold: 0.9 }));
    expect(readRulesFile(path).alertThreshold).toBe(0.9);

    let latest: BusinessRules | undefined;
    let error: Error | undefined;
    const watch = watchRulesFile(
      path,
      (r) => {
        latest = r;
      },
      (e) => {
        error = e;
      },
    );
    try {
      writeFileSync(path, JSON.stringify({ alertThreshold: 0.5, watchedKeywords: ['recall'] }));
      expect((await waitFor(() => latest)).watchedKeywords).toEqual(['recall']);

      writeFileSync(path, JSON.stringify({ alertThreshold: 5 }));
      expect((await waitFor(() => error)).message).toContain('rules.alertThreshold');

      latest = undefined;
      writeFileSync(join(dir, 'rules.json.tmp'), JSON.stringify({ alertThreshold: 0.7 }));
      renameSync(join(dir, 'rules.json.tmp'), path);
      expect((await waitFor(() => latest)).alertThreshold).toBe(0.7);
    } finally {
      watch.close();
    }
  });

  it('names the file on unreadable JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spate-nlp-rules-'));
    dirs.push(dir);
    const path = join(dir, 'rules.json');
    writeFileSync(path, '{ nope');
    expect(() => readRulesFile(path)).toThrow(`rules file ${path}`);
  });
});
