import { type Command, InvalidArgumentError, Option } from 'commander';
import { columnMap, parseMapping } from '../../core/history/column-map.ts';
import { HISTORY_FORMATS, type HistoryFormat } from '../../core/history/history-format.ts';
import { INGEST_LIMITS } from '../../core/limits/ingest-limits.ts';
import { resolveLoadTarget } from '../../load/endpoint.ts';
import { type ImportProgress, InputError, runImport } from './import-run.ts';
import { defaultStatePath } from './import-state.ts';
import { exitCode, progressLine, renderSummary, summaryJson } from './import-summary.ts';

interface ImportFlags {
  format?: HistoryFormat;
  map: string[];
  delimiter?: string;
  endpoint?: string;
  writeKey?: string;
  dataDir: string;
  state?: string;
  restart?: boolean;
  batchSize: number;
  concurrency: number;
  rate: number;
  retries: number;
  timeout: number;
  json?: boolean;
}

const integer = (name: string, min: number, max: number) => (raw: string) => {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  return value;
};

const mapping = (spec: string, previous: string[]) => {
  try {
    parseMapping(spec);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return [...previous, spec];
};

const HELP = `
Formats (guessed from the first row when --format is not given):
  csv      a header row, then one event a row; columns named as Spate's fields (type, user_id,
           timestamp, page.url, order.revenue, ...) or mapped with --map; other columns go to properties
  ndjson   one JSON event a line, in Spate's form (POST /v1/events); --map works with key paths
  segment  Segment's messages, one a line (type, event, userId, anonymousId, messageId, timestamp, ...)
  posthog  PostHog's events as NDJSON or CSV (uuid, event, distinct_id, timestamp, properties)
  A file ending in .gz is read through gzip.

Every row is sent with an event id: the file's (event_id, messageId, uuid), or one derived from the
row's content (a UUID v5 of its mapped fields: not the file name, nor the line), so importing the
same rows again, resumed, re-run or from another file, counts each row once.

The resume point is kept in FILE.spate-import.json (--state): a run stopped by a crash, Ctrl-C or
an unreachable endpoint goes on from the last row the ingest API answered for; a finished import
is not sent again unless --restart. The same file to another endpoint, key, format or --map starts
from its first row.

Exit status: 0 every row accepted; 1 finished, some rows rejected or not mapped (the summary says
which, by field and rule); 2 bad flags or unreadable input; 3 stopped (endpoint unreachable or
refusing); 130 interrupted. 3 and 130 go on where they stopped when run again.

Examples:
  npx spate import orders.csv --map event_id=id --map timestamp=created_at --map type=kind --map user_id=customer
  npx spate import events.ndjson
  npx spate import segment-export.json.gz --format segment
  npx spate import posthog-events.jsonl --json
`;

/** `spate import FILE`: history into the ingest API's `/v1/import`, resumable, with a summary. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      "Import history (CSV, NDJSON, Segment's or PostHog's exports) through the ingest API's /v1/import",
    )
    .argument('<file>', 'the file to import')
    .addOption(
      new Option('--format <format>', 'what the file holds (default: guessed)').choices(HISTORY_FORMATS),
    )
    .option(
      '--map <field=column>',
      'read a Spate field from another column or key path (repeatable)',
      mapping,
      [],
    )
    .option('--delimiter <char>', 'CSV delimiter (default: the most frequent of , ; tab in the header)')
    .option('--endpoint <url>', 'Spate HTTP endpoint (default: http from .local/endpoints.json)')
    .option('--write-key <key>', 'write key (default: writeKey from .local/endpoints.json)')
    .option('--data-dir <dir>', 'where endpoints.json lives', '.local')
    .option('--state <path>', 'resume point file (default: FILE.spate-import.json)')
    .option('--restart', 'ignore the resume point and send the whole file again')
    .option(
      '--batch-size <n>',
      'events per request',
      integer('--batch-size', 1, INGEST_LIMITS.maxEventsPerRequest),
      500,
    )
    .option('--concurrency <n>', 'requests in flight at most', integer('--concurrency', 1, 64), 4)
    .option('--rate <n>', 'rows per second at most; 0 for no limit', integer('--rate', 0, 10_000_000), 0)
    .option('--retries <n>', 'failed tries of one request before stopping', integer('--retries', 0, 1000), 10)
    .option('--timeout <s>', 'seconds to wait for one answer', integer('--timeout', 1, 3600), 60)
    .option('--json', 'print the summary as one JSON object on stdout')
    .addHelpText('after', HELP)
    .action(async (file: string, flags: ImportFlags) => {
      process.exitCode = await importCommand(file, flags);
    });
}

async function importCommand(file: string, flags: ImportFlags): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`spate import: ${message}\n`);
    return 2;
  };
  const delimiter = flags.delimiter === '\\t' || flags.delimiter === 'tab' ? '\t' : flags.delimiter;
  if (delimiter !== undefined && delimiter.length !== 1) return fail('--delimiter must be one character');
  let target: ReturnType<typeof resolveLoadTarget>;
  let map: ReturnType<typeof columnMap>;
  try {
    target = resolveLoadTarget(flags, flags.dataDir);
    map = columnMap(flags.map);
  } catch (err) {
    return fail((err as Error).message);
  }
  const controller = new AbortController();
  let stops = 0;
  const stop = () => {
    stops += 1;
    if (stops > 1) process.exit(130);
    process.stderr.write('\nstopping: waiting for the requests in flight (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const tty = process.stderr.isTTY === true;
  const show = (p: ImportProgress) =>
    process.stderr.write(tty ? `\r${progressLine(p)}\x1b[K` : `import: ${progressLine(p)}\n`);
  try {
    const report = await runImport({
      file,
      format: flags.format,
      mappings: flags.map,
      map,
      delimiter,
      ...target,
      statePath: flags.state ?? defaultStatePath(file),
      restart: Boolean(flags.restart),
      batchSize: flags.batchSize,
      concurrency: flags.concurrency,
      rate: flags.rate,
      retries: flags.retries,
      timeoutMs: flags.timeout * 1000,
      limits: INGEST_LIMITS,
      signal: controller.signal,
      progressEveryMs: tty ? 200 : 5000,
      onProgress: show,
      onNotice: (text) => process.stderr.write(`${tty ? '\n' : ''}${text}\n`),
    });
    if (tty) process.stderr.write('\n');
    process.stdout.write(flags.json ? summaryJson(report) : renderSummary(report));
    return exitCode(report);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof InputError || e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES')
      return fail(e.message);
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
