import { useEffect, useState } from 'react';
import type { DashboardConfig } from './config.ts';

export interface Polled<T> {
  /** The last good answer: kept while a later request fails, so a panel does not blank out. */
  readonly data: T | undefined;
  readonly error: string | undefined;
}

/** One GET to the query API with the dashboard token; its `{ message }` on an error answer. */
export async function queryJson<T>(config: DashboardConfig, path: string): Promise<T> {
  const response = await fetch(`${config.apiBase}${path}`, {
    headers: { authorization: `Bearer ${config.token}` },
    cache: 'no-store',
  });
  const body = (await response.json().catch(() => ({}))) as T & { message?: string };
  if (!response.ok) throw new Error(body.message ?? `${path}: ${response.status}`);
  return body;
}

/**
 * `load` now and every `intervalMs` while `key` stays the same; a new key (other filters, other
 * parameters) starts over at once and drops the answers of the old one. `key` undefined: idle.
 * `seed`: an answer for the first key that the page already has, shown from the first render.
 */
export function usePolled<T>(
  key: string | undefined,
  load: () => Promise<T>,
  intervalMs: number,
  seed?: T,
): Polled<T> {
  const [state, setState] = useState<Polled<T> & { key?: string }>(() =>
    seed === undefined ? { data: undefined, error: undefined } : { key, data: seed, error: undefined },
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: `load` is rebuilt each render; `key` says when it asks for something else.
  useEffect(() => {
    if (key === undefined) return;
    let live = true;
    const run = () =>
      load().then(
        (data) => live && setState({ key, data, error: undefined }),
        (err: unknown) =>
          live &&
          setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: (err as Error).message })),
      );
    void run();
    const timer = setInterval(run, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [key, intervalMs]);
  return state.key === key ? state : { data: undefined, error: undefined };
}
