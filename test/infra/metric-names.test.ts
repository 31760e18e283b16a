import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_SPATE_METRICS,
  METRIC_SERVICES,
  METRICS_NAMESPACE,
  SPATE_METRICS,
  type SpateMetricKey,
} from '../../core/metrics/metric-names.ts';
import { REPO_ROOT } from '../../lib/catalog.ts';
import { DEV_CONFIG } from '../../lib/config.ts';
import { type Synthesized, synthesize } from './synth.ts';
import { resourcesOf } from './template-queries.ts';

/**
 * An alarm on a metric nobody publishes never fires: a renamed metric has to fail here, at
 * synth, not stay silent in CloudWatch. The handlers' side is read from their sources (every
 * emission goes through SPATE_METRICS, checked below), the constructs' side from the template.
 */

let dev: Synthesized;
beforeAll(() => {
  dev = synthesize(DEV_CONFIG);
}, 180_000);
afterAll(() => dev?.dispose());

interface ReadMetric {
  readonly alarm: string;
  readonly name: string;
  readonly dimensions: Record<string, unknown>;
}

type Dimension = { Name: string; Value: unknown };
type AlarmMetric = { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] };

/** The Spate-namespace metrics an alarm reads, alone or inside its metric math. */
function spateMetricsOfAlarms(): ReadMetric[] {
  return resourcesOf(dev.template, 'AWS::CloudWatch::Alarm').flatMap(([id, alarm]) => {
    const p = alarm.Properties as AlarmMetric & { Metrics?: { MetricStat?: { Metric: AlarmMetric } }[] };
    const metrics = [p, ...(p.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []))];
    return metrics
      .filter((m) => m.Namespace === METRICS_NAMESPACE)
      .map((m) => ({
        alarm: id,
        name: m.MetricName!,
        dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])),
      }));
  });
}

function sourcesUnder(...folders: string[]): { path: string; text: string }[] {
  return folders.flatMap((folder) =>
    readdirSync(join(REPO_ROOT, folder), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return { path: relative(REPO_ROOT, path), text: readFileSync(path, 'utf8') };
      }),
  );
}

/** What the publishers write: the Lambda handlers and the NLP worker. */
const publishers = () => sourcesUnder('lambdas', join('containers', 'nlp'));

/** Every string in a template value (user data is joined from several). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

/** The ClickHouse host's CloudWatch agent config, as its user data writes it. */
function agentMetricNames(): { namespace: string; names: string[] } {
  const written = stringsOf(dev.template.toJSON())
    .map((s) => /echo '(\{.*\})' > \/opt\/aws\/amazon-cloudwatch-agent\/etc\/spate\.json/.exec(s))
    .find((m) => m !== null);
  expect(written, 'the agent config in the ClickHouse host user data').toBeDefined();
  const config = JSON.parse(written![1]!) as {
    metrics: { namespace: string; metrics_collected: Record<string, { measurement: string[] }> };
  };
  // The agent names a metric <plugin>_<measurement>.
  const names = Object.entries(config.metrics.metrics_collected).flatMap(([plugin, c]) =>
    c.measurement.map((m) => `${plugin}_${m}`),
  );
  return { namespace: config.metrics.namespace, names };
}

describe('metrics defined once (core/metrics/metric-names.ts)', () => {
  it('every Spate metric an alarm reads is a defined metric, with dimensions it is published with', () => {
    const read = spateMetricsOfAlarms();
    // The alarms known to read Spate's own metrics: an empty walk would pass everything.
    expect(new Set(read.map((r) => r.name))).toEqual(
      new Set(['EventsRejected', 'PushErrors', 'ConsumerLag', 'disk_used_percent', 'FrameFreshness']),
    );
    const byName = new Map(ALL_SPATE_METRICS.map((m) => [m.name, m]));
    for (const r of read) {
      const defined = byName.get(r.name);
      expect(defined, `${r.alarm} reads ${r.name}`).toBeDefined();
      expect(
        Object.keys(r.dimensions).filter((d) => !defined!.dimensions.includes(d)),
        `${r.alarm}: dimensions of ${r.name}`,
      ).toEqual([]);
      if ('service' in r.dimensions)
        expect(Object.values(METRIC_SERVICES), `${r.alarm}: service of ${r.name}`).toContain(
          r.dimensions.service,
        );
    }
  });

  it('every defined metric is published: by a handler or the worker, or by the ClickHouse host agent', () => {
    const emitted = new Set(
      publishers().flatMap(({ text }) => [...text.matchAll(/SPATE_METRICS\.(\w+)\.name/g)].map((m) => m[1])),
    );
    const agent = agentMetricNames();
    expect(agent.namespace).toBe(METRICS_NAMESPACE);
    const unpublished = (Object.keys(SPATE_METRICS) as SpateMetricKey[]).filter(
      (k) => !emitted.has(k) && !agent.names.includes(SPATE_METRICS[k].name),
    );
    expect(unpublished).toEqual([]);
  });

  it('publishers name metrics and the namespace only through the core module', () => {
    const literals = publishers().flatMap(({ path, text }) =>
      [
        ...text.matchAll(/addMetric\(\s*['"`]/g),
        ...text.matchAll(/namespace: ['"`]/g),
        // EMF lines: a metric entry whose name is written out.
        ...text.matchAll(/\{\s*name: ['"`][^'"`]*['"`],\s*unit:/g),
      ].map((m) => `${path}: ${m[0]}`),
    );
    expect(literals).toEqual([]);
  });

  it('each handler publishes a metric in the unit it is defined with', () => {
    const used = publishers().flatMap(({ path, text }) =>
      [...text.matchAll(/addMetric\(\s*SPATE_METRICS\.(\w+)\.name,\s*MetricUnit\.(\w+)/g)].map((m) => ({
        path,
        key: m[1] as SpateMetricKey,
        unit: MetricUnit[m[2] as keyof typeof MetricUnit],
      })),
    );
    expect(used.length).toBeGreaterThan(10);
    for (const u of used) expect(u.unit, `${u.path}: ${u.key}`).toBe(SPATE_METRICS[u.key].unit);
  });

  it('every function is configured with the one namespace', () => {
    const namespaces = new Set(
      resourcesOf(dev.template, 'AWS::Lambda::Function').map(
        ([, f]) =>
          (f.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
            ?.POWERTOOLS_METRICS_NAMESPACE,
      ),
    );
    // Functions CDK adds itself (custom resource providers) carry no Powertools settings.
    namespaces.delete(undefined);
    expect([...namespaces]).toEqual([METRICS_NAMESPACE]);
  });
});
