import type { ClickHouseClient } from '@clickhouse/client';
import {
  type ProjectFunnel,
  parseFunnelInput,
  projectFunnel,
} from '../../core/aggregation/project-funnel.ts';
import { PROJECT_FUNNELS_TABLE } from './migrations/008-project-funnels.ts';

interface FunnelRow {
  readonly project: string;
  readonly id: string;
  readonly latest_name: string;
  readonly latest_steps: string;
  readonly first_created_ms: string | number;
  readonly latest_revision: string | number;
}

/** The stored form of a step: the object the API takes, so a row is read back by its parser. */
function stepsJson(funnel: ProjectFunnel): string {
  return JSON.stringify(
    funnel.definition.steps.map((s) => ({
      type: s.type,
      ...(s.withProduct ? { product: true } : {}),
      ...(s.properties ? { properties: s.properties } : {}),
    })),
  );
}

/**
 * Projects' run-time funnels in ClickHouse (migration 8 says why there). Each save is a row;
 * the latest revision of an id wins, read with argMax rather than FINAL so a delete marker is
 * judged on the merged row, never on a part's. Writes are last-writer-wins by revision: two
 * editors saving one funnel at once leave the later save, as a form's last Save would.
 */
export class ProjectFunnelStore {
  #ready: Promise<void> | undefined;

  constructor(private readonly client: ClickHouseClient) {}

  /**
   * The warehouse function applies migrations when it starts; the query function or the
   * funnels aggregator may be first to ask, so the table is made here too (the same statement).
   */
  #ensureTable(): Promise<void> {
    this.#ready ??= this.client.command({ query: PROJECT_FUNNELS_TABLE }).then(
      () => undefined,
      (err: unknown) => {
        this.#ready = undefined;
        throw err;
      },
    );
    return this.#ready;
  }

  /** A project's funnels, or every project's when none is named, oldest first. */
  async list(project?: string): Promise<ProjectFunnel[]> {
    await this.#ensureTable();
    const result = await this.client.query({
      // Aliases differ from the columns: an alias named `revision` would stand for the column
      // inside the other aggregates.
      query: `SELECT project, id, argMax(name, revision) AS latest_name, argMax(steps, revision) AS latest_steps,
                     min(created_ms) AS first_created_ms, max(revision) AS latest_revision
              FROM project_funnels
              ${project === undefined ? '' : 'WHERE project = {project:String}'}
              GROUP BY project, id
              HAVING argMax(deleted, revision) = 0
              ORDER BY project, first_created_ms, id`,
      query_params: project === undefined ? {} : { project },
      format: 'JSONEachRow',
    });
    const funnels: ProjectFunnel[] = [];
    for (const row of await result.json<FunnelRow>()) {
      // Rows were checked by the same parser when saved; one that no longer parses (a rule
      // tightened since) is left out rather than failing every read of the project.
      try {
        const input = parseFunnelInput({
          name: row.latest_name,
          steps: JSON.parse(row.latest_steps) as unknown,
        });
        funnels.push(
          projectFunnel(
            row.project,
            row.id,
            input,
            Number(row.first_created_ms),
            Number(row.latest_revision),
          ),
        );
      } catch {}
    }
    return funnels;
  }

  async get(project: string, id: string): Promise<ProjectFunnel | undefined> {
    return (await this.list(project)).find((f) => f.id === id);
  }

  async save(funnel: ProjectFunnel): Promise<void> {
    await this.#write(funnel, 0);
  }

  /** Marks the funnel deleted at `revision`, later than any save of it. */
  async remove(funnel: ProjectFunnel, revision: number): Promise<void> {
    await this.#write({ ...funnel, revisionMs: revision }, 1);
  }

  async #write(funnel: ProjectFunnel, deleted: 0 | 1): Promise<void> {
    await this.#ensureTable();
    await this.client.insert({
      table: 'project_funnels',
      values: [
        {
          project: funnel.project,
          id: funnel.id,
          name: funnel.name,
          steps: stepsJson(funnel),
          created_ms: funnel.createdMs,
          revision: funnel.revisionMs,
          deleted,
        },
      ],
      format: 'JSONEachRow',
    });
  }
}
