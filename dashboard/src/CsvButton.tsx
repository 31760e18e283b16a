import { type CsvCell, csvFileName, csvText, seriesRows } from './csv.ts';

/**
 * Downloads what a panel shows as CSV, built in the browser from the panel's own rows, so the
 * file holds what the reader saw (a live panel's next frame may already differ from a fresh
 * query). `rows` is read on the click only.
 */
export function CsvButton(props: {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: () => readonly (readonly CsvCell[])[];
}) {
  const file = csvFileName(props.title);
  const download = () => {
    const blob = new Blob([csvText(props.header, props.rows())], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = file;
    link.click();
    // Freed a minute later, not at once: the browser reads the blob after the click returns.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
  return (
    <button
      type="button"
      className="csv"
      onClick={download}
      title={`Download ${file}`}
      data-testid={`csv-${file.replace(/^spate-|\.csv$/g, '')}`}
    >
      CSV
    </button>
  );
}

/** A chart's points as CSV: `time` and a column per series, as the chart shows them. */
export function SeriesCsvButton(props: {
  readonly title: string;
  readonly xs: readonly number[];
  readonly series: readonly { readonly label: string; readonly values: readonly (number | null)[] }[];
}) {
  return (
    <CsvButton
      title={props.title}
      header={['time', ...props.series.map((s) => s.label)]}
      rows={() => seriesRows(props.xs, props.series)}
    />
  );
}
