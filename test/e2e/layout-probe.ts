import type { Page } from 'playwright-core';

/** The widths the dashboard is laid out for: a desktop, a laptop and a phone. */
export const LAYOUT_WIDTHS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/**
 * What a reader would see as broken on the page as laid out now: a page wider than the window,
 * numbers cut short (a tile's value wider than its box), and charts whose x-axis labels overlap.
 * The axis labels are drawn on a canvas, so each chart reports where it drew them (LineChart's
 * data-x-labels); a chart that drew none is reported too, or a chart that stopped reporting
 * would pass unseen.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    // Runs in the page; the project's own types have no DOM, so the little it reads is typed here.
    interface Box {
      readonly scrollWidth: number;
      readonly clientWidth: number;
      readonly textContent: string | null;
      readonly dataset: Record<string, string | undefined>;
      closest(selector: string): Box | null;
      querySelector(selector: string): Box | null;
    }
    const { document } = globalThis as unknown as {
      document: {
        querySelectorAll(selector: string): Iterable<Box>;
        documentElement: { scrollWidth: number; clientWidth: number };
      };
    };
    const problems: string[] = [];
    // A page wider than its window scrolls sideways on a phone: something holds a column wide.
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1)
      problems.push(`the page is ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
    for (const el of document.querySelectorAll('.tile-value, .tile-label, h1, h2, h3')) {
      if (el.scrollWidth > el.clientWidth + 1)
        problems.push(`cut short: "${el.textContent}" needs ${el.scrollWidth} px, has ${el.clientWidth}`);
    }
    for (const chart of document.querySelectorAll('.chart')) {
      const name =
        chart.dataset.testid ?? chart.closest('.panel')?.querySelector('h2,h3')?.textContent ?? 'chart';
      const labels = JSON.parse(chart.dataset.xLabels ?? '[]') as {
        text: string;
        left: number;
        right: number;
      }[];
      if (labels.length === 0) {
        problems.push(`${name}: no x-axis labels drawn`);
        continue;
      }
      const width = chart.clientWidth;
      labels.forEach((label, i) => {
        const next = labels[i + 1];
        if (next && label.right > next.left)
          problems.push(`${name}: x-axis labels "${label.text}" and "${next.text}" overlap`);
        if (label.left < -1 || label.right > width + 1)
          problems.push(`${name}: x-axis label "${label.text}" runs out of the chart`);
      });
    }
    return problems;
  });
}
