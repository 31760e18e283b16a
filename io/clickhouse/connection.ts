import { type ClickHouseClient, createClient } from '@clickhouse/client';
import type { ClickHouseConfig } from './clickhouse-config.ts';

export function connectClickHouse(config: ClickHouseConfig): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    request_timeout: 60_000,
  });
}
