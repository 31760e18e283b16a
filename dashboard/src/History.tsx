import { useEffect, useState } from 'react';
import { SeriesCsvButton } from './CsvButton.tsx';
import type { DashboardConfig } from './config.ts';
import { type DashboardFilter, filterQuery } from './filters.ts';
import { LineChart } from './LineChart.tsx';

const RANGES = [
  { label: '1 h', ms: 3_600_000, step: 60 },
  { label: '6 h', ms: 6 * 3_600_000, step: 300 },
  { label: '24 h', ms: 24 * 3_600_000, step: 900 },
  { label: '7 d', ms: 7 * 86_400_000, step: 3600 },
  { label: '30 d', ms: 30 * 86_400_000, step: 86_400 },
] as const;

/** History from the query API, which answers older ranges from the warm tier. */
export function History(props: { config: DashboardConfig; filters?: readonly DashboardFilter[] }) {
  const filters = filterQuery(props.filters ?? []);
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[0]);
  const [data, setData] = useState<{ xs: number[]; values: number[]; tiers: string[]; error?: string }>({
    xs: [],
    values: [],
    tiers: [],
  });
  useEffect(() => {
    let cancelled = false;
    const from = new Date(Date.now() - range.ms).toISOString();
    const filtered = filters ? `&${filters}` : '';
    fetch(
      `${props.config.apiBase}/v1/metrics/timeseries?metric=events&from=${from}&step=${range.step}${filtered}`,
      {
        headers: { authorization: `Bearer ${props.config.token}` },
      },
    )
      .then(async (r) => {
        const body = (await r.json()) as {
          points?: { t: number; value: number }[];
          tiers?: string[];
          message?: string;
        };
        if (cancelled) return;
        if (!r.ok) throw new Error(body.message ?? String(r.status));
        const points = body.points ?? [];
        setData({
          xs: points.map((p) => p.t / 1000),
          values: points.map((p) => p.value),
          tiers: body.tiers ?? [],
        });
      })
      .catch((err: unknown) => !cancelled && setData((d) => ({ ...d, error: String(err) })));
    return () => {
      cancelled = true;
    };
  }, [range, props.config, filters]);
  return (
    <section className="panel span2">
      <h2>
        History: events per {range.step >= 3600 ? `${range.step / 3600} h` : `${range.step / 60} min`}
        <span className="picker">
          {RANGES.map((r) => (
            <button
              type="button"
              key={r.label}
              className={r === range ? 'on' : ''}
              onClick={() => setRange(r)}
            >
              {r.label}
            </button>
          ))}
        </span>
        <span className="note">{data.error ?? `from ${data.tiers.join(' + ') || '…'}`}</span>
        <SeriesCsvButton title="History" xs={data.xs} series={[{ label: 'events', values: data.values }]} />
      </h2>
      <LineChart xs={data.xs} series={[{ label: 'events', values: data.values }]} height={160} />
    </section>
  );
}
