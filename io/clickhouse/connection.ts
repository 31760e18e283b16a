import { type ClickHouseClient, createClient } from '@clickhouse/client';
import type { ClickHouseConfig } from './clickhouse-config.ts';

export interface ConnectionOptions {
  /**
   * ClickHouse stops every statement of this client after this long (`max_execution_time`,
   * whole seconds, rounded up): a caller that stopped waiting for an answer (a tier past its
   * deadline) does not leave its statement running, taking the cores from the next ones.
   * @default no limit but ClickHouse's own
   */
  readonly maxExecutionMs?: number;
}

export function connectClickHouse(
  config: ClickHouseConfig,
  options: ConnectionOptions = {},
): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    request_timeout: 60_000,
    ...(options.maxExecutionMs === undefined
      ? {}
      : {
          clickhouse_settings: {
            max_execution_time: Math.ceil(options.maxExecutionMs / 1000),
            // A read of S3 blocked on an endpoint that does not answer is not stopped by the
            // statement's limit: S3's own idle timeout is the same, with one more try (ClickHouse
            // 26.7 waits 30 s and tries 500 times by default).
            s3_request_timeout_ms: String(options.maxExecutionMs),
            s3_retry_attempts: '1',
          },
        }),
  });
}
