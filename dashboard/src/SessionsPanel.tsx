import type { JsonObject } from '../../core/push/merge-patch.ts';
import { count, grouped } from './format.ts';
import { LineChart } from './LineChart.tsx';

type Minute = { t: number; sessions: number };

const figure = (value: unknown, format: (n: number) => string) =>
  typeof value === 'number' ? format(value) : '—';

/** Seconds as a reader takes them in: `45 s`, `3 min 20 s`. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

/**
 * The live sessions (the `sessions` channel): sessions started in the last 30 minutes, their
 * bounce rate, average duration and pages per session, and sessions started per minute.
 */
export function SessionsPanel(props: { data: JsonObject | undefined }) {
  const minutes = (props.data?.per_minute ?? []) as Minute[];
  const xs = minutes.map((m) => m.t / 1000);
  const series = minutes.length > 0 ? [{ label: 'sessions', values: minutes.map((m) => m.sessions) }] : [];
  const d = props.data;
  return (
    <section className="panel" data-testid="sessions-panel">
      <h2>Sessions (last 30 min)</h2>
      {/* The pipeline panel's list of figures, label and value on a row. */}
      <dl className="ops">
        <dt>sessions started</dt>
        <dd data-testid="sessions-count">{count(d?.sessions)}</dd>
        <dt>bounce rate</dt>
        <dd data-testid="sessions-bounce-rate">
          {figure(d?.bounce_rate, (r) => `${grouped(r * 100, 1)} %`)}
        </dd>
        <dt>average duration</dt>
        <dd data-testid="sessions-duration">{figure(d?.avg_duration_s, duration)}</dd>
        <dt>pages per session</dt>
        <dd data-testid="sessions-pages">{figure(d?.pages_per_session, (n) => grouped(n, 2))}</dd>
      </dl>
      <LineChart xs={xs} series={series} height={120} points testId="sessions-chart" />
    </section>
  );
}
