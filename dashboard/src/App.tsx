import { useEffect, useMemo, useState } from 'react';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import type { DashboardConfig } from './config.ts';
import { age, count, money, seriesColumns } from './format.ts';
import { History } from './History.tsx';
import { LineChart } from './LineChart.tsx';
import { earlyFeedState, type FeedState, LiveFeed } from './live-feed.ts';
import { Funnel, Ops, Tile, TopList } from './panels.tsx';
import { TweetsPanel } from './TweetsPanel.tsx';
import { HEADLINE_TILES } from './tiles.ts';

const byType = (p: unknown) => (p && typeof p === 'object' ? (p as Record<string, number>) : {});
const single = (label: string) => (p: unknown) => (typeof p === 'number' ? { [label]: p } : {});

export const FIRST_NUMBERS_MARK = 'spate:first-numbers';

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
  const ch = (name: string) => feed?.channels[name] as JsonObject | undefined;
  const overview = ch('overview');
  const eventsData = ch('timeseries:events');
  const revenueData = ch('timeseries:revenue');
  const ordersData = ch('timeseries:orders');
  const events = useMemo(() => seriesColumns(eventsData, byType), [eventsData]);
  const revenue = useMemo(() => seriesColumns(revenueData, byType), [revenueData]);
  const orders = useMemo(() => seriesColumns(ordersData, single('orders')), [ordersData]);
  const lastGood = feed?.updatedAt.overview;
  const hasNumbers = overview !== undefined;
  useEffect(() => {
    // The first paint that shows numbers, for the first-paint benchmark (bench/dashboard).
    // rAF then a task: the mark lands just after the frame that shows them is painted.
    if (hasNumbers) requestAnimationFrame(() => setTimeout(() => performance.mark(FIRST_NUMBERS_MARK), 0));
  }, [hasNumbers]);

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
      <section className="tiles">
        {HEADLINE_TILES.map((t) => (
          <Tile
            key={t.key}
            label={t.label}
            tileKey={t.key}
            value={t.format === 'money' ? money(overview?.[t.key]) : count(overview?.[t.key])}
            {...(t.testId ? { testId: t.testId } : {})}
          />
        ))}
      </section>
      <div className="grid">
        <section className="panel wide">
          <h2>Events per second by type (last 5 min)</h2>
          <LineChart xs={events.xs} series={events.series} testId="events-chart" />
        </section>
        <section className="panel">
          <h2>Revenue per second</h2>
          <LineChart xs={revenue.xs} series={revenue.series} height={140} />
        </section>
        <section className="panel">
          <h2>Orders per second</h2>
          <LineChart xs={orders.xs} series={orders.series} height={140} />
        </section>
        <Funnel data={ch('funnel')} />
        <TopList title="Top products" data={ch('top:products')} />
        <TopList title="Top pages" data={ch('top:pages')} />
        <TopList title="Traffic sources" data={ch('top:referrers')} />
        <TweetsPanel tweets={ch('tweets')} alerts={ch('alerts')} />
        <Ops ops={feed?.ops} live={ch('ops')} />
        <History config={props.config} />
      </div>
    </main>
  );
}
