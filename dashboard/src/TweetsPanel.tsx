import { useMemo } from 'react';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { CsvButton } from './CsvButton.tsx';
import { count, sentiment, seriesColumns } from './format.ts';
import { LineChart } from './LineChart.tsx';

type Hashtag = { tag: string; n: number; sentiment: number | null };
type Alert = { id: string; risk: number; minute: number };

const byTopic = (p: unknown) => (p && typeof p === 'object' ? (p as Record<string, number>) : {});

const tone = (score: number | null | undefined) =>
  typeof score !== 'number' ? '' : score > 0.05 ? 'pos' : score < -0.05 ? 'neg' : '';

const clock = (epochSecond: number) =>
  new Date(epochSecond * 1000).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

/**
 * The tweets panel: mean sentiment per topic by the minute, the hashtags of the last five
 * minutes with their tone, and toxicity alerts newest first. Fixed heights, so a burst of
 * alerts does not push the panels below it around.
 */
export function TweetsPanel(props: { tweets: JsonObject | undefined; alerts: JsonObject | undefined }) {
  const { tweets, alerts } = props;
  const chart = useMemo(() => seriesColumns(tweets, byTopic, null), [tweets]);
  const hashtags = ((tweets?.hashtags ?? []) as Hashtag[]).slice(0, 8);
  const items = ((alerts?.items ?? []) as Alert[]).slice(0, 6);
  const labels = (tweets?.labels ?? {}) as Record<string, number>;
  const windowMin = Math.round(Number(tweets?.window_s ?? 1800) / 60);
  return (
    <section className="panel wide tweets" data-testid="tweets-panel">
      <h2>
        Tweets (last {windowMin} min)
        <span className="note" data-testid="tweets-count">
          {count(tweets?.count)} tweets · {count(labels.positive ?? 0)} positive ·{' '}
          {count(labels.negative ?? 0)} negative
        </span>
      </h2>
      <div className="tweets-grid">
        <div>
          <h3>Sentiment by topic (mean per minute, −1 to +1)</h3>
          <LineChart xs={chart.xs} series={chart.series} height={150} testId="sentiment-chart" points />
        </div>
        <div>
          <h3>
            Top hashtags (5 min)
            <CsvButton
              title="Hashtags"
              header={['hashtag', 'tweets', 'sentiment']}
              rows={() => hashtags.map((h) => [h.tag, h.n, h.sentiment])}
            />
          </h3>
          <ol className="top" data-testid="hashtags">
            {hashtags.length === 0 && <li className="empty">no hashtags in the last 5 minutes</li>}
            {hashtags.map((h) => (
              <li key={h.tag}>
                <span className="name">#{h.tag}</span>
                <span className={`num ${tone(h.sentiment)}`}>{sentiment(h.sentiment)}</span>
                <span className="num">{count(h.n)}</span>
              </li>
            ))}
          </ol>
        </div>
        <div>
          <h3>
            Toxicity alerts <span className="note">{count(alerts?.count)}</span>
          </h3>
          <ol className="alerts" data-testid="alerts">
            {items.length === 0 && <li className="empty">no alerts in the last {windowMin} minutes</li>}
            {items.map((a) => (
              <li key={a.id}>
                <span className="time">{clock(a.minute)}</span>
                <span className="name">{a.id}</span>
                <span className="num neg">risk {a.risk.toFixed(2)}</span>
              </li>
            ))}
          </ol>
        </div>
      </div>
    </section>
  );
}
