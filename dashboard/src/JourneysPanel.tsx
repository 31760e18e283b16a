import { CsvButton } from './CsvButton.tsx';
import type { DashboardConfig } from './config.ts';
import { RankedList } from './RankedList.tsx';
import { queryJson, usePolled } from './use-polled.ts';

const JOURNEYS_POLL_MS = 10_000;
const ROWS = 8;

type JourneysAnswer = {
  readonly journeys?: readonly { readonly steps: readonly string[]; readonly count: number }[];
};

/**
 * Top paths: the commonest runs of three steps (a page view is its path, any other event its
 * type) of the last hour, from the hot tier (`GET /v1/journeys/top`). Not filtered: the hot tier
 * keeps journeys without dimensions.
 */
export function JourneysPanel(props: { readonly config: DashboardConfig }) {
  const { config } = props;
  const { data, error } = usePolled(
    config.apiBase,
    () => queryJson<JourneysAnswer>(config, `/v1/journeys/top?limit=${ROWS}&window=1h`),
    JOURNEYS_POLL_MS,
  );
  const rows = (data?.journeys ?? []).map((j) => ({ key: j.steps.join(' → '), value: j.count }));
  return (
    <section className="panel" data-testid="journeys">
      <h2>
        Top paths
        <span className="note">{error ?? 'last hour'}</span>
        <CsvButton
          title="Top paths"
          header={['path', 'journeys']}
          rows={() => rows.map((r) => [r.key, r.value])}
        />
      </h2>
      <RankedList rows={rows} empty={data ? 'no paths in the last hour' : 'loading…'} />
    </section>
  );
}
