import { Fragment } from 'react';
import { COMPARISON_PERIODS, comparisonParts } from './comparison.ts';
import { baselineFigure, leadingCurrency, percent, tileFigure, tileOverview } from './comparison-figures.ts';
import { count, money } from './format.ts';
import { Tile } from './panels.tsx';
import { HEADLINE_TILES, type TileSpec } from './tiles.ts';
import type { Baselines } from './use-baselines.ts';

function formatted(spec: TileSpec, value: unknown): string {
  if (spec.format === 'money') return money(value);
  if (spec.format === 'percent') return percent(value);
  return count(value);
}

/**
 * The headline tiles, each with its change against the same minutes one day and one week
 * before: `+12% vs yesterday · −3% vs last week` (each part kept whole when a narrow tile wraps).
 */
export function HeadlineTiles(props: {
  readonly overview: Readonly<Record<string, unknown>> | undefined;
  readonly baselines: Baselines | undefined;
}) {
  const overview = tileOverview(props.overview);
  const currency = leadingCurrency(overview?.revenue);
  return (
    <section className="tiles">
      {HEADLINE_TILES.map((t) => {
        const baselines = Object.fromEntries(
          COMPARISON_PERIODS.map((p) => [
            p.name,
            props.baselines ? baselineFigure(t.key, props.baselines[p.name], currency) : undefined,
          ]),
        );
        const parts = comparisonParts(tileFigure(t.key, overview, currency), baselines);
        return (
          <Tile
            key={t.key}
            label={t.label}
            tileKey={t.key}
            value={formatted(t, overview?.[t.key])}
            sub={parts.map((text, i) => (
              // The separator stays outside the unbreakable parts: a narrow tile wraps there.
              <Fragment key={COMPARISON_PERIODS[i]?.name}>
                {i > 0 ? ' · ' : ''}
                <span className="change">{text}</span>
              </Fragment>
            ))}
            {...(t.testId ? { testId: t.testId } : {})}
          />
        );
      })}
    </section>
  );
}
