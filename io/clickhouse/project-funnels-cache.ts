import type { ProjectFunnels } from '../../core/aggregation/funnels.ts';
import type { ProjectFunnel } from '../../core/aggregation/project-funnel.ts';
import { withinDeadline } from '../../core/query/within-deadline.ts';
import type { ProjectFunnelStore } from './project-funnel-store.ts';

/**
 * How long the funnels aggregator trusts its copy of every project's run-time funnels. A funnel
 * created or edited starts counting within this long; one read of a small table per TTL per
 * container costs nothing next to the batches.
 */
export const PROJECT_FUNNELS_TTL_MS = 15_000;
/** A store read that takes longer is given up for this batch: batches of the hot tier wait on it. */
const READ_DEADLINE_MS = 2000;
/** How soon a failed read is tried again. */
const RETRY_MS = 2000;

/**
 * Every project's run-time funnels, read from the store at most once per TTL, for the funnels
 * aggregation to look up synchronously while it plans a batch.
 */
export class ProjectFunnelsCache implements ProjectFunnels {
  #byProject = new Map<string, ProjectFunnel[]>();
  #loadedMs: number | undefined;

  constructor(
    private readonly store: Pick<ProjectFunnelStore, 'list'>,
    private readonly ttlMs = PROJECT_FUNNELS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  of(project: string): readonly ProjectFunnel[] {
    return this.#byProject.get(project) ?? [];
  }

  /**
   * Reads the store when the copy is older than the TTL. A read that fails or is slow keeps the
   * last copy (none before the first read) and is tried again a little later: the hot tier's
   * funnels must not wait on the warm tier's server. Run-time funnels then miss the events of
   * the outage live; their answer over history, from the warm tier, does not.
   */
  async refresh(): Promise<void> {
    const nowMs = this.now();
    if (this.#loadedMs !== undefined && nowMs - this.#loadedMs < this.ttlMs) return;
    try {
      const byProject = new Map<string, ProjectFunnel[]>();
      for (const f of await withinDeadline(this.store.list(), READ_DEADLINE_MS, 'project funnels'))
        byProject.set(f.project, [...(byProject.get(f.project) ?? []), f]);
      this.#byProject = byProject;
      this.#loadedMs = nowMs;
    } catch {
      this.#loadedMs = nowMs - this.ttlMs + Math.min(this.ttlMs, RETRY_MS);
    }
  }
}
