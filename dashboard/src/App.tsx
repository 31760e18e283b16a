import { useEffect, useMemo, useState } from 'react';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { BreakdownPanel } from './BreakdownPanel.tsx';
import { SeriesCsvButton } from './CsvButton.tsx';
import type { DashboardConfig } from './config.ts';
import { FilterChips } from './FilterChips.tsx';
import { FunnelsEditor } from './FunnelsEditor.tsx';
import { type DashboardFilter, withFilter } from './filters.ts';
import { age, seriesColumns } from './format.ts';
import { HeadlineTiles } from './HeadlineTiles.tsx';
import { History } from './History.tsx';
import { JourneysPanel } from './JourneysPanel.tsx';
import { LineChart } from './LineChart.tsx';
import { earlyFeedState, type FeedState, LiveFeed } from './live-feed.ts';
import { Funnel, Ops, TopList } from './panels.tsx';
import { SessionsPanel } from './SessionsPanel.tsx';
import { TweetsPanel } from './TweetsPanel.tsx';
import { useBaselines } from './use-baselines.ts';
import { useFilteredPanels } from './use-filtered-panels.ts';
import { useFilteredView } from './use-filtered-view.ts';
import { useFilters } from './use-filters.ts';
import { useFirstNumbersMark } from './use-first-numbers-mark.ts';

const byType = (p: unknown) => (p && typeof p === 'object' ? (p as Record<string, number>) : {});
const single = (label: string) => (p: unknown) => (typeof p === 'number' ? { [label]: p } : {});

/** The live top pages and sources count page views: their filtered stand-ins count the same. */
const PAGE_VIEWS: readonly DashboardFilter[] = [{ dimension: 'type', value: 'page_view' }];

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function App(props: { config: DashboardConfig }) {
  const [feed, setFeed] = useState<FeedState | undefined>(earlyFeedState);
  useEffect(() => {
    const live = new LiveFeed(props.config, setFeed);
    void live.start();
    return () => live.stop();
  }, [props.config]);
  const now = useNow(1000);
  // While a filter is set, the tiles, the events chart, the top lists and the funnel are the
  // query API's, polled.
  const { filters, setFilters } = useFilters();
  const filtered = useFilteredView(props.config, filters);
  const filteredPanels = useFilteredPanels(props.config, filters);
  const baselines = useBaselines(props.config, filters);
  const pick = (dimension: string) => (value: string) =>
    setFilters(withFilter(filters, { dimension, value }));
  const onPick = (f: DashboardFilter) => setFilters(withFilter(filters, f));
  const breakdown = { config: props.config, filters, onPick };
  const ch = (name: string) => feed?.channels[name] as JsonObject | undefined;
  const overview = ch('overview');
  const eventsData = ch('timeseries:events');
  const revenueData = ch('timeseries:revenue');
  const ordersData = ch('timeseries:orders');
  const events = useMemo(() => seriesColumns(eventsData, byType), [eventsData]);
  const revenue = useMemo(() => seriesColumns(revenueData, byType), [revenueData]);
  const orders = useMemo(() => seriesColumns(ordersData, single('orders')), [ordersData]);
  const shownEvents = filtered?.events ?? events;
  const lastGood = feed?.updatedAt.overview;
  // A filtered page's numbers are its filtered figures: the snapshot's are of all traffic.
  useFirstNumbersMark((filtered ? filtered.overview : overview) !== undefined);

  if (!props.config.token)
    return (
      <p className="banner">
        This dashboard link has no token: open the link from `spate local` or your admin.
      </p>
    );

  return (
    <main>
      <header>
        <h1>Spate live</h1>
        <span className={`transport ${feed?.transport ?? 'connecting'}`} data-testid="transport">
          {feed?.transport ?? 'connecting'}
        </span>
        <span className="updated">{lastGood ? `updated ${age(now - lastGood)} ago` : 'loading…'}</span>
      </header>
      <div className="banner-slot">
        {feed && feed.degraded.length > 0 && (
          <div className="banner" role="alert" data-testid="degraded-banner">
            Degraded:{' '}
            {feed.degraded
              .map(
                (d) =>
                  `${d.component ?? d.store ?? d.tier}${d.tier && d.component ? ` (${d.tier} tier)` : ''} is down`,
              )
              .join('; ')}
            . {lastGood ? `Showing the last good numbers, ${age(now - lastGood)} old.` : 'No numbers yet.'}
          </div>
        )}
      </div>
      <FilterChips
        filters={filters}
        onChange={setFilters}
        tiers={filtered?.tiers ?? []}
        degraded={filtered?.degraded ?? []}
        error={filtered?.error}
      />
      <HeadlineTiles overview={filtered ? filtered.overview : overview} baselines={baselines} />
      <div className="grid">
        <section className="panel wide">
          <h2>
            {filtered ? 'Events per 10 s, filtered (last 5 min)' : 'Events per second by type (last 5 min)'}
            <SeriesCsvButton title="Events" {...shownEvents} />
          </h2>
          <LineChart xs={shownEvents.xs} series={shownEvents.series} testId="events-chart" />
        </section>
        <section className="panel">
          <h2>
            Revenue per second
            <SeriesCsvButton title="Revenue" {...revenue} />
          </h2>
          <LineChart xs={revenue.xs} series={revenue.series} height={140} />
        </section>
        <section className="panel">
          <h2>
            Orders per second
            <SeriesCsvButton title="Orders" {...orders} />
          </h2>
          <LineChart xs={orders.xs} series={orders.series} height={140} />
        </section>
        <Funnel data={filteredPanels ? filteredPanels.funnel : ch('funnel')} />
        <FunnelsEditor config={props.config} />
        <SessionsPanel data={ch('sessions')} />
        <TopList
          title="Top products"
          data={filteredPanels ? filteredPanels.products : ch('top:products')}
          column="product"
        />
        {filtered ? (
          <BreakdownPanel {...breakdown} title="Top pages" by="page" metric="events" scope={PAGE_VIEWS} />
        ) : (
          <TopList title="Top pages" data={ch('top:pages')} column="page" pick={pick('page')} />
        )}
        {filtered ? (
          <BreakdownPanel
            {...breakdown}
            title="Traffic sources"
            by="source"
            metric="events"
            scope={PAGE_VIEWS}
          />
        ) : (
          <TopList title="Traffic sources" data={ch('top:referrers')} column="source" pick={pick('source')} />
        )}
        <BreakdownPanel {...breakdown} title="Countries" by="country" metric="visitors" />
        <BreakdownPanel {...breakdown} title="Devices" by="device" metric="visitors" />
        <BreakdownPanel {...breakdown} title="Campaigns" by="campaign" metric="visitors" />
        <TopList
          title="Top carts"
          data={filteredPanels ? filteredPanels.carts : ch('top:carts')}
          column="product"
        />
        <TopList
          title="Top purchases"
          data={filteredPanels ? filteredPanels.purchases : ch('top:purchases')}
          column="product"
        />
        <JourneysPanel config={props.config} />
        <TweetsPanel tweets={ch('tweets')} alerts={ch('alerts')} />
        <Ops ops={feed?.ops} live={ch('ops')} />
        <History config={props.config} filters={filters} />
      </div>
    </main>
  );
}
