import type uPlot from 'uplot';
import { MONTHS, timeLabel } from './time-label.ts';

/**
 * The x-axis of every chart: times as the reader's clock shows them, and ticks spaced by the
 * widest label the axis can draw, so labels never run into each other at any width (uPlot's
 * default spacing is a fixed 50 px, narrower than its own "12:05pm" labels on two lines).
 */
export const AXIS_FONT = '11px system-ui, -apple-system, "Segoe UI", sans-serif';
const GAP_PX = 14;

let measureContext: CanvasRenderingContext2D | null | undefined;
export function textWidth(text: string): number {
  if (measureContext === undefined) {
    measureContext = document.createElement('canvas').getContext('2d');
    if (measureContext) measureContext.font = AXIS_FONT;
  }
  return measureContext?.measureText(text).width ?? text.length * 7;
}

/** Where the labels were drawn, in px from the chart's left edge. */
export interface DrawnLabel {
  readonly text: string;
  readonly left: number;
  readonly right: number;
}

/**
 * The axis options, and a hook that records where the labels were drawn: they are drawn on a
 * canvas, where a layout check (test/e2e/layout-probe.ts) cannot see them.
 */
export function timeAxis(onDrawn: (labels: DrawnLabel[]) => void): {
  axis: uPlot.Axis;
  draw: (u: uPlot) => void;
} {
  let texts: string[] = [];
  let splits: number[] = [];
  const widest = Math.max(textWidth('00:00'), ...MONTHS.map((m) => textWidth(`30 ${m}`)));
  return {
    axis: {
      font: AXIS_FONT,
      space: widest + GAP_PX,
      values: (_u, ticks, _axis, _space, increment) => {
        splits = ticks;
        texts = ticks.map((t) => timeLabel(t, increment));
        return texts;
      },
    },
    draw: (u) => {
      const left = u.bbox.left / devicePixelRatio;
      const width = u.bbox.width / devicePixelRatio;
      const drawn: DrawnLabel[] = [];
      splits.forEach((t, i) => {
        const x = u.valToPos(t, 'x');
        // uPlot draws only the ticks inside the plot.
        if (x < -0.5 || x > width + 0.5) return;
        const w = textWidth(texts[i] ?? '');
        drawn.push({ text: texts[i] ?? '', left: left + x - w / 2, right: left + x + w / 2 });
      });
      onDrawn(drawn);
    },
  };
}
