import { useCallback, useEffect, useState } from 'react';
import { type DashboardFilter, filtersFromSearch, searchWithFilters } from './filters.ts';

export interface FilterControls {
  readonly filters: readonly DashboardFilter[];
  readonly setFilters: (next: readonly DashboardFilter[]) => void;
}

/**
 * The page's filters, kept in its URL: a change is a new history entry (Back undoes a click),
 * and Back and Forward bring the filters of their entry back.
 */
export function useFilters(): FilterControls {
  const [filters, setState] = useState<readonly DashboardFilter[]>(() =>
    filtersFromSearch(window.location.search),
  );
  useEffect(() => {
    const onPop = () => setState(filtersFromSearch(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const setFilters = useCallback((next: readonly DashboardFilter[]) => {
    const { pathname, hash, search } = window.location;
    window.history.pushState(null, '', `${pathname}${searchWithFilters(search, next)}${hash}`);
    setState(next);
  }, []);
  return { filters, setFilters };
}
