/**
 * The web origins allowed to post events, per project. Browsers send `Origin` with every
 * cross-origin POST; a project answers only the origins it lists, or any origin when it lists
 * `*`. Requests without `Origin` (servers, mobile apps) are not browsers and are not affected.
 */
export class OriginPolicy {
  readonly #byProject: ReadonlyMap<string, ReadonlySet<string>>;

  /** `origins`: per project, exact origins (`https://shop.example`) or `*`. */
  constructor(origins: Readonly<Record<string, readonly string[]>> = {}) {
    this.#byProject = new Map(
      Object.entries(origins).map(([project, list]) => [project, new Set(list.map(normaliseOrigin))]),
    );
  }

  /** Whether `project` takes events from a page on `origin`. */
  allows(project: string, origin: string): boolean {
    const listed = this.#byProject.get(project);
    return listed !== undefined && (listed.has('*') || listed.has(normaliseOrigin(origin)));
  }

  /**
   * Whether some project takes events from `origin`: a preflight carries no write key, so it
   * can be answered only for the API as a whole; the request that follows is held to its project.
   */
  allowsAnyProject(origin: string): boolean {
    for (const project of this.#byProject.keys()) if (this.allows(project, origin)) return true;
    return false;
  }
}

const ORIGIN = /^https?:\/\/[^/?#\s]+$/i;

/** An origin as configured: `*`, or a scheme and host (and port), with no path. */
export function isOriginPattern(value: string): boolean {
  return value === '*' || ORIGIN.test(value);
}

function normaliseOrigin(origin: string): string {
  return origin === '*' ? origin : origin.toLowerCase();
}
