/**
 * A number as en-US writes it (digits grouped in threes, at most `fractionDigits` decimals,
 * trailing zeros dropped). Written out rather than with toLocaleString: a fresh page's first
 * call into Intl costs 10-15 ms, which the first paint would pay. index.html's shell carries the
 * same code (test/unit/dashboard/shell.test.ts runs both), so React's first render matches it.
 */
export function grouped(n: number, fractionDigits: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [whole = '0', fraction = ''] = Math.abs(n).toFixed(fractionDigits).split('.');
  const decimals = fraction.replace(/0+$/, '');
  const sign = n < 0 && (whole !== '0' || decimals !== '') ? '-' : '';
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${decimals ? `.${decimals}` : ''}`;
}

export function count(n: unknown): string {
  return typeof n === 'number' ? grouped(n, 3) : '—';
}

export function money(byCurrency: unknown): string {
  if (!byCurrency || typeof byCurrency !== 'object') return '—';
  const entries = Object.entries(byCurrency as Record<string, number>);
  if (entries.length === 0) return '0';
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([cur, v]) => `${grouped(v, 2)} ${cur}`)
    .join(' · ');
}

export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/**
 * Points keyed by epoch second (one per `step_s`, 1 by default) into aligned columns for uPlot.
 * A missing point is 0 for counts; `missing: null` leaves a gap where 0 would be a lie (means).
 */
export function seriesColumns(
  data: { from?: unknown; to?: unknown; step_s?: unknown; points?: unknown } | undefined,
  pick: (point: unknown) => Record<string, number>,
  missing: 0 | null = 0,
): { xs: number[]; series: { label: string; values: (number | null)[] }[] } {
  if (!data || typeof data.from !== 'number' || typeof data.to !== 'number') return { xs: [], series: [] };
  const step = typeof data.step_s === 'number' && data.step_s > 0 ? data.step_s : 1;
  const points = (data.points ?? {}) as Record<string, unknown>;
  const labels = new Set<string>();
  for (const p of Object.values(points)) for (const k of Object.keys(pick(p))) labels.add(k);
  const xs: number[] = [];
  for (let s = data.from; s < data.to; s += step) xs.push(s);
  const series = [...labels].sort().map((label) => ({
    label,
    values: xs.map((s) => pick(points[String(s)])[label] ?? missing),
  }));
  return { xs, series };
}

/** Sentiment in [-1, 1] as a signed figure a reader takes in at a glance. */
export function sentiment(score: unknown): string {
  if (typeof score !== 'number') return '—';
  return `${score > 0 ? '+' : ''}${score.toFixed(2)}`;
}
