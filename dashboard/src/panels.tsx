import type { JsonObject } from '../../core/push/merge-patch.ts';
import { count } from './format.ts';

type Item = { member: string; score: number };

export function Tile(props: {
  label: string;
  value: string;
  testId?: string;
  sub?: string;
  tileKey?: string;
}) {
  return (
    <div className="tile">
      <div className="tile-label">{props.label}</div>
      <div className="tile-value" data-testid={props.testId} data-key={props.tileKey}>
        {props.value}
      </div>
      <div className="tile-sub">{props.sub ?? '\u00a0'}</div>
    </div>
  );
}

export function TopList(props: { title: string; data: JsonObject | undefined }) {
  const items = ((props.data?.items ?? []) as Item[]).slice(0, 8);
  const max = items[0]?.score ?? 1;
  return (
    <section className="panel">
      <h2>{props.title}</h2>
      <ol className="top">
        {items.length === 0 && <li className="empty">nothing in the last 5 minutes</li>}
        {items.map((item) => (
          <li key={item.member}>
            <span className="bar" style={{ width: `${(item.score / max) * 100}%` }} />
            <span className="name">{item.member}</span>
            <span className="num">{count(item.score)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function Funnel(props: { data: JsonObject | undefined }) {
  const steps = (props.data?.steps ?? []) as { label: string; users: number; conversion: number }[];
  return (
    <section className="panel">
      <h2>Funnel (last 30 min)</h2>
      <table className="funnel">
        <tbody>
          {steps.map((s) => (
            <tr key={s.label}>
              <td>{s.label}</td>
              <td className="num">{count(s.users)}</td>
              <td className="num">{(s.conversion * 100).toFixed(1)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Ops(props: { ops: JsonObject | undefined; live: JsonObject | undefined }) {
  const consumers = (props.ops?.consumers ?? []) as { group: string; topic: string; lag: number }[];
  return (
    <section className="panel">
      <h2>Pipeline</h2>
      <dl className="ops">
        <dt>ingest rate</dt>
        <dd data-testid="ops-ingest">{count(props.live?.ingest_per_s ?? props.ops?.ingest_per_s)} /s</dd>
        <dt>dead letters</dt>
        <dd>{count(props.ops?.dlq)}</dd>
        <dt>mapping failures</dt>
        <dd>{count(props.ops?.mapping_failures)}</dd>
        {consumers.map((c) => (
          <div key={c.group} className="row">
            <dt>lag {c.group.replace(/^spate-/, '')}</dt>
            <dd>{count(c.lag)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
