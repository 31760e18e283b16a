import type { ProjectFunnels } from '../../core/aggregation/funnels.ts';
import type { ProjectFunnel } from '../../core/aggregation/project-funnel.ts';
import type { ProjectFunnelStore } from './project-funnel-store.ts';

/**
 * How long the funnels aggregator trusts its copy of every project's run-time funnels. A funnel
 * created or edited starts counting within this long; one read of a small table per TTL per
 * container costs nothing next to the batches.
 */
export const PROJECT_FUNNELS_TTL_MS = 15_000;

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
   * Reads the store when the copy is older than the TTL. A failed read keeps the last copy (a
   * funnel edited meanwhile counts by its old steps a little longer); with no copy yet it
   * throws, so the batch fails and is delivered again rather than passing funnels by.
   */
  async refresh(): Promise<void> {
    const nowMs = this.now();
    if (this.#loadedMs !== undefined && nowMs - this.#loadedMs < this.ttlMs) return;
    try {
      const byProject = new Map<string, ProjectFunnel[]>();
      for (const f of await this.store.list())
        byProject.set(f.project, [...(byProject.get(f.project) ?? []), f]);
      this.#byProject = byProject;
      this.#loadedMs = nowMs;
    } catch (err) {
      if (this.#loadedMs === undefined) throw err;
      // Asked again after a TTL, not on every batch while the store is down.
      this.#loadedMs = nowMs;
    }
  }
}
