import { keyLabel } from './filters.ts';
import { count } from './format.ts';

export interface RankedRow {
  readonly key: string;
  readonly value: number;
}

/**
 * Rows of a top list, largest first, each with a bar to scale. With `onPick`, a row's name is a
 * button: clicking it filters the whole dashboard by that key.
 */
export function RankedList(props: {
  readonly rows: readonly RankedRow[];
  readonly empty: string;
  readonly onPick?: ((key: string) => void) | undefined;
  readonly testId?: string;
}) {
  const max = Math.max(...props.rows.map((r) => r.value), 1);
  const { onPick } = props;
  return (
    <ol className="top" data-testid={props.testId}>
      {props.rows.length === 0 && <li className="empty">{props.empty}</li>}
      {props.rows.map((row) => (
        <li key={row.key}>
          <span className="bar" style={{ width: `${(row.value / max) * 100}%` }} />
          {onPick ? (
            <button
              type="button"
              className="name pick"
              title={`Filter the dashboard by ${keyLabel(row.key)}`}
              onClick={() => onPick(row.key)}
            >
              {keyLabel(row.key)}
            </button>
          ) : (
            <span className="name">{keyLabel(row.key)}</span>
          )}
          <span className="num">{count(row.value)}</span>
        </li>
      ))}
    </ol>
  );
}
