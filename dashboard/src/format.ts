export function count(n: unknown): string {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '—';
}

export function money(byCurrency: unknown): string {
  if (!byCurrency || typeof byCurrency !== 'object') return '—';
  const entries = Object.entries(byCurrency as Record<string, number>);
  if (entries.length === 0) return '0';
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([cur, v]) => `${v.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${cur}`)
    .join(' · ');
}

export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/** Per-second points keyed by epoch second into aligned columns for uPlot (missing = 0). */
export function seriesColumns(
  data: { from?: unknown; to?: unknown; points?: unknown } | undefined,
  pick: (point: unknown) => Record<string, number>,
): { xs: number[]; series: { label: string; values: number[] }[] } {
  if (!data || typeof data.from !== 'number' || typeof data.to !== 'number') return { xs: [], series: [] };
  const points = (data.points ?? {}) as Record<string, unknown>;
  const labels = new Set<string>();
  for (const p of Object.values(points)) for (const k of Object.keys(pick(p))) labels.add(k);
  const xs: number[] = [];
  for (let s = data.from; s < data.to; s++) xs.push(s);
  const series = [...labels].sort().map((label) => ({
    label,
    values: xs.map((s) => pick(points[String(s)])[label] ?? 0),
  }));
  return { xs, series };
}
