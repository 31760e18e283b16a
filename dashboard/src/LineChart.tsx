import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { timeAxis } from './time-axis.ts';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

/**
 * A uPlot line chart of fixed height: data changes go through setData (no re-creation, no
 * layout jump); only a change of series labels rebuilds it.
 */
export function LineChart(props: {
  readonly xs: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly height?: number;
  readonly testId?: string;
  /** Dots on the points: for sparse series (a value a minute) that gaps would hide. */
  readonly points?: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = props.series.map((s) => s.label).join('|');
  const height = props.height ?? 180;
  const points = props.points ?? false;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const x = timeAxis((labels) => {
      el.dataset.xLabels = JSON.stringify(labels);
    });
    const chart = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        series: [
          {},
          ...labels
            .split('|')
            .filter(Boolean)
            .map((label, i) => ({
              label,
              stroke: COLOURS[i % COLOURS.length],
              width: 1.5,
              points: { show: points, size: 5 },
            })),
        ],
        axes: [x.axis, { size: 50 }],
        hooks: { draw: [x.draw] },
      },
      [[]],
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [labels, height, points]);

  useEffect(() => {
    plot.current?.setData([
      props.xs as number[],
      ...props.series.map((s) => s.values as number[]),
    ] as uPlot.AlignedData);
  }, [props.xs, props.series]);

  return <div ref={host} className="chart" style={{ minHeight: height + 40 }} data-testid={props.testId} />;
}
