import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

const DAY_MS = 86_400_000;
const REAL_NOW = Date.now();

/** The first instant from `candidates(year)` after the real now, this year or next. */
function next(candidates: (year: number) => number): number {
  const year = new Date(REAL_NOW).getUTCFullYear();
  const soon = candidates(year);
  return soon > REAL_NOW + 60_000 ? soon : candidates(year + 1);
}

/** New York springs forward at 2:00 EST (07:00 UTC) on the second Sunday of March. */
function usSpringForward(year: number): number {
  const first = new Date(Date.UTC(year, 2, 1)).getUTCDay();
  return Date.UTC(year, 2, 1 + ((7 - first) % 7) + 7, 7);
}

/** Noon UTC of the next day whose number since the epoch has this parity. */
function nextDayOfParity(parity: 0 | 1): number {
  let day = Math.floor(REAL_NOW / DAY_MS) + 1;
  if (day % 2 !== parity) day += 1;
  return day * DAY_MS + DAY_MS / 2;
}

/**
 * The date- and zone-sensitive tests, run again with the clock moved by libfaketime (Debian's
 * `faketime`) and a non-UTC TZ. A test that builds its expectations from "now" passes on most
 * days and fails on some; these moments are the ones that broke such tests before: a range
 * that crosses midnight, a month's and a year's end, odd and even days (epoch-aligned steps),
 * and a daylight-saving change in the local zone while the tests run. Each moment is the next
 * one after today, so the clock only ever moves forward: stores that expire keys at absolute
 * times keep working.
 */
const MOMENTS = [
  // A year's last day, seconds before midnight UTC; New Year already in Chatham (UTC+13:45).
  { what: "a year's end", at: next((y) => Date.UTC(y, 11, 31, 23, 59, 30)), tz: 'Pacific/Chatham' },
  // The clock crosses New York's spring-forward during the run.
  { what: 'a DST change', at: next(usSpringForward) - 30_000, tz: 'America/New_York' },
  // The last day of February (month end), a half-hour zone.
  { what: "a month's end", at: next((y) => Date.UTC(y, 2, 1) - 30_000), tz: 'Asia/Kolkata' },
  { what: 'an odd day', at: nextDayOfParity(1), tz: 'Europe/Berlin' },
  { what: 'an even day', at: nextDayOfParity(0), tz: 'America/Sao_Paulo' },
];

/**
 * Pure code on calendars, steps, windows and tokens. The servers stay out: redis-server and
 * librdkafka do not run under libfaketime (redis-server's allocator recurses into the faked
 * clock_gettime at start), and chDB under it slows until its client times out, so the tier
 * reads are checked under a non-UTC TZ by `npm test` itself and set their own clocks.
 */
const SENSITIVE = [
  'test/unit/query',
  'test/unit/aggregation',
  'test/unit/push',
  'test/unit/auth',
  'test/unit/ingest',
];

describe.each(MOMENTS)('with the clock moved to $what in $tz', ({ at, tz }) => {
  it('the date-sensitive tests pass', async () => {
    // An offset, not a start time: every process the tests start reads the same moved clock;
    // `@time` would restart the clock in each.
    const offsetS = Math.round((at - Date.now()) / 1000);
    const moved = `${offsetS >= 0 ? '+' : ''}${offsetS}s`;
    // The monotonic clock stays real: timeouts and backoff measure real time.
    const env = { ...process.env, TZ: tz, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const { stdout: clock } = await run('faketime', ['-f', moved, process.execPath, '-p', 'Date.now()'], {
      env,
    });
    expect(Math.abs(Number(clock) - at)).toBeLessThan(60_000);
    const vitest = resolve(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const args = ['-f', moved, process.execPath, vitest, 'run', '--project', 'unit'];
    const { stdout } = await run('faketime', [...args, ...SENSITIVE], {
      cwd: ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`${err.message}\n${(err.stdout ?? '').slice(-6000)}${(err.stderr ?? '').slice(-3000)}`);
    });
    expect(stdout).toMatch(/Test Files\s.*\d+ passed/);
    expect(stdout).not.toMatch(/\bfailed\b/);
  });
});
