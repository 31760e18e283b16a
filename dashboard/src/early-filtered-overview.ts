/**
 * The filtered overview index.html asked for a filtered link before the app's script ran, and
 * painted into the shell's tiles: the app's first filtered overview, so it is not asked twice
 * and React's first render keeps the numbers on screen. Only for the same request the app makes
 * (`query`, filterQuery of the page's filters): another one is of other figures.
 */
interface EarlyFilteredOverview {
  /** `filter=a:x&filter=b:y`, as filters.ts filterQuery writes it. */
  readonly query: string;
  answer: Promise<Record<string, unknown>> | undefined;
  /** The answer, once index.html has it (it sets this before painting it). */
  value?: Record<string, unknown>;
}

const holder = globalThis as { __spateFilteredOverview?: EarlyFilteredOverview };

/** The answer index.html has already received for `query`, or undefined; leaves it in place. */
export function earlyFilteredOverviewValue(query: string): Record<string, unknown> | undefined {
  const early = holder.__spateFilteredOverview;
  return early?.query === query ? early.value : undefined;
}

/** The request index.html started for `query` (answered or not); taken once. */
export function takeEarlyFilteredOverview(query: string): Promise<Record<string, unknown>> | undefined {
  const early = holder.__spateFilteredOverview;
  if (early?.query !== query) return undefined;
  const answer = early.answer;
  early.answer = undefined;
  return answer;
}
