import type { ReactNode } from 'react';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { CsvButton } from './CsvButton.tsx';
import { count } from './format.ts';
import { RankedList } from './RankedList.tsx';

type Item = { member: string; score: number };

export function Tile(props: {
  label: string;
  value: string;
  testId?: string;
  sub?: ReactNode;
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

/**
 * A live top list (a `top:*` channel). With `pick`, a click on a row filters the dashboard by
 * it, as `pick` names it (the traffic sources' members are `source` values).
 */
export function TopList(props: {
  title: string;
  data: JsonObject | undefined;
  pick?: (member: string) => void;
  /** The CSV's name for the members: `source`, `product`. */
  column?: string;
}) {
  const items = ((props.data?.items ?? []) as Item[]).slice(0, 8);
  const rows = items.map((item) => ({ key: item.member, value: item.score }));
  return (
    <section className="panel">
      <h2>
        {props.title}
        <CsvButton
          title={props.title}
          header={[props.column ?? 'member', 'count']}
          rows={() => rows.map((r) => [r.key, r.value])}
        />
      </h2>
      <RankedList rows={rows} empty="nothing in the last 5 minutes" onPick={props.pick} />
    </section>
  );
}

export function Funnel(props: { data: JsonObject | undefined }) {
  const steps = (props.data?.steps ?? []) as { label: string; users: number; conversion: number }[];
  return (
    <section className="panel">
      <h2>
        Funnel (last 30 min)
        <CsvButton
          title="Funnel"
          header={['step', 'users', 'conversion']}
          rows={() => steps.map((st) => [st.label, st.users, st.conversion])}
        />
      </h2>
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
      <h2>
        Pipeline
        <CsvButton
          title="Pipeline lag"
          header={['consumer_group', 'topic', 'lag']}
          rows={() => consumers.map((c) => [c.group, c.topic, c.lag])}
        />
      </h2>
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
