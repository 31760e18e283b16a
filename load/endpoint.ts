import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface LoadTarget {
  readonly endpoint: string;
  readonly writeKey: string;
}

/**
 * Where `spate load` sends: the flags when given, else the running local stack as described
 * in `.local/endpoints.json` (its `http` URL and demo `writeKey`).
 */
export function resolveLoadTarget(
  flags: { endpoint?: string; writeKey?: string },
  dataDir = '.local',
): LoadTarget {
  let endpoint = flags.endpoint;
  let writeKey = flags.writeKey;
  if (endpoint === undefined || writeKey === undefined) {
    const file = resolve(dataDir, 'endpoints.json');
    let described: { http?: unknown; writeKey?: unknown };
    try {
      described = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new Error(
        `no --endpoint/--write-key given and ${file} is not readable: start the stack with \`spate local\``,
      );
    }
    endpoint ??= typeof described.http === 'string' ? described.http : undefined;
    writeKey ??= typeof described.writeKey === 'string' ? described.writeKey : undefined;
  }
  if (!endpoint) throw new Error('--endpoint is required (no http URL in endpoints.json)');
  if (!writeKey) throw new Error('--write-key is required (no writeKey in endpoints.json)');
  return { endpoint, writeKey };
}
