import { type DashboardFilter, filterLabel, withoutFilter } from './filters.ts';

/**
 * The page's filters as chips, each removable, and where the filtered figures come from: the
 * query API's tiers, since filtered figures are asked for, not pushed live.
 */
export function FilterChips(props: {
  readonly filters: readonly DashboardFilter[];
  readonly onChange: (next: readonly DashboardFilter[]) => void;
  readonly tiers: readonly string[];
  readonly degraded: readonly string[];
  readonly error: string | undefined;
}) {
  const { filters, onChange } = props;
  if (filters.length === 0) return null;
  const source =
    props.error ??
    `${props.tiers.length > 0 ? `from the ${props.tiers.join(' + ')} tier` : 'loading…'}${
      props.degraded.length > 0 ? ` (${props.degraded.join(', ')} not answering)` : ''
    }`;
  return (
    <div className="filters" data-testid="filters">
      <span className="filtered">Filtered</span>
      {filters.map((f) => (
        <span key={`${f.dimension}:${f.value}`} className="chip" data-testid="filter-chip">
          {filterLabel(f)}
          <button
            type="button"
            aria-label={`Remove the filter ${filterLabel(f)}`}
            onClick={() => onChange(withoutFilter(filters, f))}
          >
            ×
          </button>
        </span>
      ))}
      <span className="note" data-testid="filter-source">
        {source}, every 5 s. Revenue and orders per second, sessions, paths and tweets show all traffic.
      </span>
    </div>
  );
}
