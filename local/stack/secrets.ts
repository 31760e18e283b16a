import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local stack's demo credentials, made once per data dir and kept there, so a write key
 * pasted into an app keeps working across restarts (and stops after --reset).
 */
export interface LocalSecrets {
  readonly writeKey: string;
  readonly tokenSecret: string;
}

export function loadOrCreateSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets: LocalSecrets = {
    writeKey: `wk_demo_${randomBytes(16).toString('hex')}`,
    tokenSecret: randomBytes(32).toString('hex'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
