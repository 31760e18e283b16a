import { CsvButton } from './CsvButton.tsx';
import type { DashboardConfig } from './config.ts';
import { type DashboardFilter, filterQuery } from './filters.ts';
import { RankedList, type RankedRow } from './RankedList.tsx';
import { queryJson, usePolled } from './use-polled.ts';

const BREAKDOWN_POLL_MS = 5000;
const WINDOW_MS = 5 * 60_000;
const ROWS = 8;

type BreakdownAnswer = { readonly rows?: readonly RankedRow[]; readonly tiers?: readonly string[] };

/**
 * A metric of the last 5 minutes per value of one dimension (`GET /v1/metrics/breakdown`),
 * polled, with the page's filters; a click on a row adds its value as a filter.
 */
export function BreakdownPanel(props: {
  readonly config: DashboardConfig;
  readonly title: string;
  readonly by: string;
  readonly metric: 'events' | 'visitors';
  readonly filters: readonly DashboardFilter[];
  /** Filters of the panel itself, besides the page's: `type:page_view` for traffic sources. */
  readonly scope?: readonly DashboardFilter[];
  readonly onPick: (filter: DashboardFilter) => void;
}) {
  const { config, by, metric } = props;
  const query = filterQuery([...(props.scope ?? []), ...props.filters]);
  const { data, error } = usePolled(
    `${config.apiBase} ${by} ${metric} ${query}`,
    () => {
      const from = new Date(Date.now() - WINDOW_MS).toISOString();
      return queryJson<BreakdownAnswer>(
        config,
        `/v1/metrics/breakdown?metric=${metric}&by=${encodeURIComponent(by)}&from=${from}&limit=${ROWS}${query ? `&${query}` : ''}`,
      );
    },
    BREAKDOWN_POLL_MS,
  );
  const rows = data?.rows ?? [];
  return (
    <section className="panel" data-testid={`breakdown-${by}`}>
      <h2>
        {props.title}
        <span className="note">{error ?? `${metric}, 5 min`}</span>
        <CsvButton title={props.title} header={[by, metric]} rows={() => rows.map((r) => [r.key, r.value])} />
      </h2>
      <RankedList
        rows={rows}
        empty={data ? 'nothing in the last 5 minutes' : 'loading…'}
        onPick={(key) => props.onPick({ dimension: by, value: key })}
      />
    </section>
  );
}
