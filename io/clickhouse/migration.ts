import type { ClickHouseClient } from '@clickhouse/client';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Each statement is idempotent (IF NOT EXISTS), so a half-applied migration can rerun. */
  readonly statements: readonly string[];
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32, name String, applied_at DateTime DEFAULT now()
) ENGINE = MergeTree ORDER BY version`;

export function validateMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(
        `migrations[${i}].version: must be ${i + 1} (versions run 1, 2, 3, ... in order), got ${m.version}`,
      );
  });
}

/** Applies the migrations the ledger does not list yet; returns the versions applied now. */
export async function migrate(client: ClickHouseClient, migrations: readonly Migration[]): Promise<number[]> {
  validateMigrations(migrations);
  await client.command({ query: LEDGER });
  const result = await client.query({
    query: 'SELECT version FROM schema_migrations',
    format: 'JSONEachRow',
  });
  const done = new Set((await result.json<{ version: number }>()).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    for (const query of migration.statements) await client.command({ query });
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name }],
      format: 'JSONEachRow',
    });
    applied.push(migration.version);
  }
  return applied;
}
