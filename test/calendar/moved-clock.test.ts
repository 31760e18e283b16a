import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/**
 * The date- and zone-sensitive tests, run again with the clock moved by libfaketime (Debian's
 * `faketime`) and a non-UTC TZ. A test that builds its expectations from "now" passes on most
 * days and fails on some; these moments are the ones that broke such tests before: a range
 * that crosses midnight, a month's and a year's end, odd and even days (epoch-aligned steps),
 * and a daylight-saving change in the local zone while the tests run.
 */
const MOMENTS = [
  // A year's last day, a few seconds before midnight UTC; New Year already in Chatham (UTC+13:45).
  { at: '2027-12-31T23:59:30Z', tz: 'Pacific/Chatham' },
  // New York springs forward at 07:00 UTC this day: the clock crosses it during the run.
  { at: '2027-03-14T06:59:30Z', tz: 'America/New_York' },
  // A month's last day (even day number since the epoch), half-hour zone.
  { at: '2027-02-28T23:59:30Z', tz: 'Asia/Kolkata' },
  // An odd day number since the epoch.
  { at: '2027-06-01T12:00:00Z', tz: 'Europe/Berlin' },
] as const;

/** Pure code on calendars and steps, and the tier reads that align steps against real servers. */
const SENSITIVE = [
  'test/unit/query',
  'test/unit/aggregation',
  'test/unit/push',
  'test/unit/auth',
  'test/integration/aggregation/cold-tier.test.ts',
  'test/integration/aggregation/hot-query.test.ts',
  'test/integration/query',
];

describe.each(MOMENTS)('with the clock at $at and TZ=$tz', ({ at, tz }) => {
  it('the date-sensitive tests pass', async () => {
    // An offset, not a start time: every process the tests start (redis-server, chDB, the
    // stack's children) then reads the same moved clock; `@time` would restart it in each.
    const offsetS = Math.round((Date.parse(at) - Date.now()) / 1000);
    const moved = `${offsetS >= 0 ? '+' : ''}${offsetS}s`;
    // The monotonic clock stays real: timeouts and backoff measure real time.
    const env = { ...process.env, TZ: tz, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const { stdout: clock } = await run('faketime', ['-f', moved, process.execPath, '-p', 'Date.now()'], {
      env,
    });
    expect(Math.abs(Number(clock) - Date.parse(at))).toBeLessThan(60_000);
    const vitest = resolve(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const args = [
      '-f',
      moved,
      process.execPath,
      vitest,
      'run',
      '--project',
      'unit',
      '--project',
      'integration',
    ];
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
