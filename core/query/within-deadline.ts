import { UnavailableError } from '../errors/spate-error.ts';

/** A read of the archive (S3 through ClickHouse) is given this many tier timeouts: it lists and fetches objects. */
const ARCHIVE_TIMEOUTS = 4;

/** How long a read of `tiers` is waited for: the tier timeout, ARCHIVE_TIMEOUTS of them where it reads the archive. */
export function readDeadlineMs(tiers: readonly string[], tierTimeoutMs: number): number {
  return tiers.includes('cold') ? ARCHIVE_TIMEOUTS * tierTimeoutMs : tierTimeoutMs;
}

/** A tier that did not answer in its time: told apart from one that failed, which may be tried another way. */
export class TierTimeout extends UnavailableError {
  override readonly name: string = 'TierTimeout';
}

/**
 * `p`, or a TierTimeout naming `what` once `ms` have passed: a tier that is slow is reported as
 * degraded rather than waited on, so the dashboard shows the rest.
 */
export function withinDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TierTimeout(`${what}: no answer within ${ms} ms`, { code: 'tier_timeout' })),
      ms,
    );
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
