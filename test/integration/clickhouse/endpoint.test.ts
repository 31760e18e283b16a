import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';

const ROWS = 100_000;
// Failing requests are expected here; the client would log each one as an error.
const quiet = { level: ClickHouseLogLevel.OFF };

let dataDir: string;
let endpoint: ClickHouseEndpoint;
let client: ClickHouseClient;

function eventRow(i: number) {
  return { id: i, user: `u${i % 1000}`, kind: i % 3 === 0 ? 'view' : 'click', amount: i % 10 };
}

async function catchError(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spate-ch-endpoint-'));
  endpoint = await startClickHouseEndpoint({ port: 0, dataDir });
  client = createClient({ url: endpoint.url, log: quiet });
  await client.command({
    query: `CREATE TABLE events (id UInt32, user String, kind LowCardinality(String), amount UInt8)
            ENGINE = MergeTree ORDER BY id`,
  });
});

afterAll(async () => {
  await client?.close();
  await endpoint?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('ClickHouse HTTP interface over chDB', () => {
  it('answers ping on /ping and through a SELECT', async () => {
    expect(await client.ping()).toEqual({ success: true });
    expect(await client.ping({ select: true })).toEqual({ success: true });
    const raw = await fetch(`${endpoint.url}/ping`);
    expect(await raw.text()).toBe('Ok.\n');
  });

  it('inserts 100k rows from a values array and aggregates them', async () => {
    const values = Array.from({ length: ROWS }, (_, i) => eventRow(i));
    const result = await client.insert({ table: 'events', values, format: 'JSONEachRow' });
    expect(result.summary?.written_rows).toBe(String(ROWS));

    const rs = await client.query({
      query:
        'SELECT kind, count() AS n, sum(amount) AS total, uniqExact(user) AS users FROM events GROUP BY kind ORDER BY kind',
      format: 'JSONEachRow',
    });
    // ClickHouse 26 writes 64-bit integers unquoted in JSON by default.
    const rows = await rs.json<{ kind: string; n: number; total: number; users: number }>();
    const views = Math.ceil(ROWS / 3);
    expect(rows).toEqual([
      { kind: 'click', n: ROWS - views, total: expect.any(Number), users: 1000 },
      { kind: 'view', n: views, total: expect.any(Number), users: 1000 },
    ]);
    const total = rows.reduce((sum, row) => sum + Number(row.total), 0);
    expect(total).toBe(Array.from({ length: ROWS }, (_, i) => i % 10).reduce((a, b) => a + b, 0));
  });

  it('inserts 100k rows streamed from a Node stream', async () => {
    await client.command({
      query: 'CREATE TABLE streamed (id UInt32, user String) ENGINE = MergeTree ORDER BY id',
    });
    function* rows() {
      for (let i = 0; i < ROWS; i += 1) yield { id: i, user: `s${i}` };
    }
    await client.insert({
      table: 'streamed',
      values: Readable.from(rows(), { objectMode: true }),
      format: 'JSONEachRow',
    });
    const rs = await client.query({
      query: 'SELECT count() AS n, max(id) AS top FROM streamed',
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: ROWS, top: ROWS - 1 }]);
  });

  it('binds query parameters of several types, quotes and all', async () => {
    const rs = await client.query({
      query: `SELECT {s:String} AS s, {n:UInt32} + 1 AS n, {arr:Array(String)} AS arr,
                     {d:DateTime} AS d, {m:Map(String, UInt8)} AS m, {maybe:Nullable(String)} AS maybe`,
      format: 'JSONEachRow',
      query_params: {
        s: "it's a \\ tab\there",
        n: 41,
        arr: ["o'neil", 'b'],
        d: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
        m: { a: 1 },
        maybe: null,
      },
      clickhouse_settings: { date_time_output_format: 'iso' },
    });
    expect(await rs.json()).toEqual([
      {
        s: "it's a \\ tab\there",
        n: 42,
        arr: ["o'neil", 'b'],
        d: '2024-01-02T03:04:05Z',
        m: { a: 1 },
        maybe: null,
      },
    ]);
    const filtered = await client.query({
      query: 'SELECT count() AS n FROM events WHERE kind = {kind:String} AND id < {limit:UInt32}',
      format: 'JSONEachRow',
      query_params: { kind: 'view', limit: 30 },
    });
    expect(await filtered.json()).toEqual([{ n: 10 }]);
  });

  it('answers in every format the client asks for', async () => {
    const query = 'SELECT id, user FROM events WHERE id < 2 ORDER BY id';
    const asJson = await (await client.query({ query, format: 'JSON' })).json<{
      data: unknown[];
      rows: number;
    }>();
    expect(asJson.data).toEqual([
      { id: 0, user: 'u0' },
      { id: 1, user: 'u1' },
    ]);
    expect(asJson.rows).toBe(2);
    expect(await (await client.query({ query, format: 'JSONCompactEachRow' })).json()).toEqual([
      [0, 'u0'],
      [1, 'u1'],
    ]);
    expect(await (await client.query({ query, format: 'JSONCompact' })).json()).toMatchObject({
      data: [
        [0, 'u0'],
        [1, 'u1'],
      ],
    });
    const csv = await client.query({ query, format: 'CSVWithNames' });
    expect(csv.response_headers['content-type']).toContain('text/csv');
    expect(await csv.text()).toBe('"id","user"\n0,"u0"\n1,"u1"\n');
    const tsv = await client.query({ query, format: 'TabSeparated' });
    expect(tsv.response_headers['x-clickhouse-format']).toBe('TabSeparated');
    expect(await tsv.text()).toBe('0\tu0\n1\tu1\n');

    const rowBinary = await client.exec({ query: 'SELECT toUInt32(7) AS v FORMAT RowBinary' });
    const chunks: Buffer[] = [];
    for await (const chunk of rowBinary.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).readUInt32LE(0)).toBe(7);
  });

  it('returns the headers clients read', async () => {
    const rs = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow', query_id: 'q-123' });
    expect(rs.query_id).toBe('q-123');
    expect(rs.response_headers['x-clickhouse-query-id']).toBe('q-123');
    expect(rs.response_headers['x-clickhouse-format']).toBe('JSONEachRow');
    expect(JSON.parse(String(rs.response_headers['x-clickhouse-summary']))).toHaveProperty('read_rows');
    await rs.close();
  });

  it('surfaces ClickHouse error codes through ClickHouseError and keeps serving', async () => {
    const syntax = await catchError(client.query({ query: 'SELEC 1' }));
    expect(syntax).toBeInstanceOf(ClickHouseError);
    expect((syntax as ClickHouseError).code).toBe('62');
    expect((syntax as ClickHouseError).type).toBe('SYNTAX_ERROR');

    const unknown = await catchError(client.query({ query: 'SELECT * FROM no_such_table' }));
    expect(unknown).toBeInstanceOf(ClickHouseError);
    expect((unknown as ClickHouseError).code).toBe('60');
    expect((unknown as ClickHouseError).message).toContain('no_such_table');

    const badInsert = await catchError(
      client.insert({ table: 'no_such_table', values: [{ a: 1 }], format: 'JSONEachRow' }),
    );
    expect((badInsert as ClickHouseError).code).toBe('60');

    const raw = await fetch(`${endpoint.url}/?query=${encodeURIComponent('SELECT * FROM no_such_table')}`);
    expect(raw.status).toBe(404);
    expect(raw.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await raw.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\)/);

    const after = await client.query({ query: 'SELECT 2 AS two', format: 'JSONEachRow' });
    expect(await after.json()).toEqual([{ two: 2 }]);
  });

  it('lands a batch once when it is inserted twice with the same deduplication token', async () => {
    await client.command({
      query: `CREATE TABLE warehouse_events (id UInt32, kind String) ENGINE = MergeTree ORDER BY id
              SETTINGS non_replicated_deduplication_window = 1000`,
    });
    const batch = Array.from({ length: 500 }, (_, i) => ({ id: i, kind: 'click' }));
    const token = 'events.raw-0-1000-1499';
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await client.insert({
        table: 'warehouse_events',
        values: batch,
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: token },
      });
    }
    const count = async () =>
      (
        await (
          await client.query({ query: 'SELECT count() AS n FROM warehouse_events', format: 'JSONEachRow' })
        ).json()
      )[0];
    expect(await count()).toEqual({ n: 500 });

    await client.insert({
      table: 'warehouse_events',
      values: batch,
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: 'events.raw-0-1500-1999' },
    });
    expect(await count()).toEqual({ n: 1000 });
  });

  it('applies settings per request without leaking them into the next one', async () => {
    const big = 'SELECT toUInt64(9007199254740993) AS big';
    const quoted = await client.query({
      query: big,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    expect(await quoted.json()).toEqual([{ big: '9007199254740993' }]);
    const plain = await client.query({
      query: "SELECT getSetting('output_format_json_quote_64bit_integers') AS v",
      format: 'JSONEachRow',
    });
    const [row] = await plain.json<{ v: boolean | number }>();
    expect(Number(row?.v)).toBe(0); // back to the engine default
    const unquoted = await client.query({
      query: big,
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    expect(await unquoted.text()).toBe('{"big":9007199254740993}\n');

    const unknown = await catchError(
      client.query({ query: 'SELECT 1', clickhouse_settings: { no_such_setting: 1 } as never }),
    );
    expect((unknown as ClickHouseError).code).toBe('115');
  });

  it('uses the database parameter and keeps stateless requests apart', async () => {
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS analytics' });
    await client.command({
      query: 'CREATE TABLE analytics.daily (day Date, n UInt64) ENGINE = MergeTree ORDER BY day',
    });
    const scoped = createClient({ url: endpoint.url, database: 'analytics' });
    try {
      await scoped.insert({ table: 'daily', values: [{ day: '2024-01-01', n: 5 }], format: 'JSONEachRow' });
      const rs = await scoped.query({
        query: 'SELECT currentDatabase() AS db, sum(n) AS n FROM daily',
        format: 'JSONEachRow',
      });
      expect(await rs.json()).toEqual([{ db: 'analytics', n: 5 }]);
    } finally {
      await scoped.close();
    }
    await client.command({ query: 'USE analytics' });
    const rs = await client.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ db: 'default' }]);
  });

  it('keeps temporary tables and SET within a session', async () => {
    const session_id = `s-${Date.now()}`;
    await client.command({ query: 'CREATE TEMPORARY TABLE scratch (x UInt8)', session_id });
    await client.command({ query: 'INSERT INTO scratch VALUES (1), (2), (3)', session_id });
    await client.command({ query: "SET date_time_output_format = 'iso'", session_id });
    const rs = await client.query({
      query: "SELECT count() AS n, toDateTime('2024-01-01 00:00:00', 'UTC') AS t FROM scratch",
      format: 'JSONEachRow',
      session_id,
    });
    expect(await rs.json()).toEqual([{ n: 3, t: '2024-01-01T00:00:00Z' }]);
    const outside = await catchError(client.query({ query: 'SELECT count() FROM scratch' }));
    expect((outside as ClickHouseError).code).toBe('60');
  });

  it('accepts gzip request bodies and compresses responses when asked', async () => {
    const compressed = createClient({ url: endpoint.url, compression: { request: true, response: true } });
    try {
      await compressed.command({ query: 'CREATE TABLE gz (id UInt32) ENGINE = MergeTree ORDER BY id' });
      await compressed.insert({
        table: 'gz',
        values: Array.from({ length: 1000 }, (_, id) => ({ id })),
        format: 'JSONEachRow',
      });
      const rs = await compressed.query({ query: 'SELECT sum(id) AS s FROM gz', format: 'JSONEachRow' });
      expect(rs.response_headers['content-encoding']).toBe('gzip');
      expect(await rs.json()).toEqual([{ s: 499500 }]);
    } finally {
      await compressed.close();
    }
  });

  it('runs exec and command with the query in the body', async () => {
    const result = await client.exec({ query: 'SELECT 40 + 2 AS answer FORMAT TabSeparated' });
    let text = '';
    for await (const chunk of result.stream) text += String(chunk);
    expect(text).toBe('42\n');
    const command = await client.command({
      query: 'CREATE TABLE IF NOT EXISTS events (id UInt32) ENGINE = Memory',
    });
    expect(command.query_id).toMatch(/[0-9a-f-]{36}/);
  });

  it('takes the query and its parameters as multipart form fields', async () => {
    const multipart = createClient({ url: endpoint.url, use_multipart_params: true });
    try {
      const rs = await multipart.query({
        query: 'SELECT {greeting:String} AS g, length({ids:Array(UInt32)}) AS n',
        format: 'JSONEachRow',
        query_params: { greeting: "hello 'world'", ids: [1, 2, 3] },
      });
      expect(await rs.json()).toEqual([{ g: "hello 'world'", n: 3 }]);
    } finally {
      await multipart.close();
    }
  });

  it('fails a session_check request for a session that does not exist', async () => {
    const raw = await fetch(`${endpoint.url}/?session_id=missing-one&session_check=1`, {
      method: 'POST',
      body: 'SELECT 1',
    });
    expect(raw.status).toBe(404);
    expect(await raw.text()).toMatch(
      /^Code: 372\. DB::Exception: Session missing-one not found\. \(SESSION_NOT_FOUND\)/,
    );
  });

  it('checks configured credentials and limits the body size', async () => {
    const guarded = await startClickHouseEndpoint({
      port: 0,
      dataDir,
      users: { loader: 's3cret' },
      maxBodyBytes: 64 * 1024,
    });
    const good = createClient({ url: guarded.url, username: 'loader', password: 's3cret', log: quiet });
    const bad = createClient({ url: guarded.url, username: 'loader', password: 'wrong', log: quiet });
    try {
      const rs = await good.query({ query: 'SELECT 1 AS ok', format: 'JSONEachRow' });
      expect(await rs.json()).toEqual([{ ok: 1 }]);
      const denied = await catchError(bad.query({ query: 'SELECT 1' }));
      expect((denied as ClickHouseError).code).toBe('516');
      expect((denied as ClickHouseError).type).toBe('AUTHENTICATION_FAILED');

      const tooBig = await catchError(
        good.insert({
          table: 'events',
          values: Array.from({ length: 5000 }, (_, i) => eventRow(i)),
          format: 'JSONEachRow',
        }),
      );
      expect((tooBig as ClickHouseError).message).toContain('larger than this endpoint');
    } finally {
      await good.close();
      await bad.close();
      await guarded.close();
    }
  });

  it('serves concurrent parameterised queries each with its own values', async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const rs = await client.query({
          query:
            'SELECT {i:UInt32} AS i, {label:String} AS label, count() AS n FROM events WHERE id < {i:UInt32}',
          format: 'JSONEachRow',
          query_params: { i, label: `q${i}` },
        });
        return rs.json();
      }),
    );
    expect(answers).toEqual(Array.from({ length: 24 }, (_, i) => [{ i, label: `q${i}`, n: i }]));
  });
});
