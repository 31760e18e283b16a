import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVENTS_PER_HOUR, synthesizedTemplate } from '../../bin/cost/cli.ts';
import { type CostEstimate, costMarkdown, estimateCost } from '../../bin/cost/estimate.ts';
import { PRICES } from '../../bin/cost/price-table.ts';
import { REPO_ROOT } from '../../lib/catalog.ts';
import { DEV_CONFIG, PROD_CONFIG } from '../../lib/config.ts';

const estimates: Record<string, CostEstimate> = {};
const templates: Record<string, ReturnType<typeof synthesizedTemplate>> = {};

beforeAll(() => {
  for (const config of [DEV_CONFIG, PROD_CONFIG]) {
    templates[config.name] = synthesizedTemplate(config);
    estimates[config.name] = estimateCost(templates[config.name]!, config, {
      eventsPerHour: DEFAULT_EVENTS_PER_HOUR,
    });
  }
}, 180_000);

/** The block docs/deploy.md carries between `<!-- spate cost --env X -->` and its end marker. */
function documented(env: string): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
  const start = doc.indexOf(`<!-- spate cost --env ${env} -->\n`);
  const end = doc.indexOf('\n<!-- end spate cost -->', start);
  expect(start, `docs/deploy.md has the ${env} cost block`).toBeGreaterThanOrEqual(0);
  return doc.slice(start + `<!-- spate cost --env ${env} -->\n`.length, end);
}

describe('spate cost', () => {
  it('is what docs/deploy.md shows, for dev and prod', () => {
    expect(documented('dev')).toBe(costMarkdown(estimates.dev!));
    expect(documented('prod')).toBe(costMarkdown(estimates.prod!));
  });

  it('prices the event poller units the mappings hold idle: one shared group in dev, one unit each in prod', () => {
    const mappings = (env: string) =>
      Object.values(templates[env]!.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping')
        .map(
          (r) =>
            (r as unknown as { Properties: { ProvisionedPollerConfig: Record<string, unknown> } }).Properties,
        );
    const groups = (env: string) =>
      new Set(mappings(env).map((m) => m.ProvisionedPollerConfig.PollerGroupName));
    expect(mappings('dev').length).toBeGreaterThan(1);
    expect([...groups('dev')]).toEqual(['spate-dev-aggregators']);
    expect([...groups('prod')]).toEqual([undefined]);
    const units = (env: string) => estimates[env]!.idle.find((l) => l.item.startsWith('Event poller units'));
    expect(units('dev')?.quantity).toBe('1');
    expect(units('prod')?.quantity).toBe(String(mappings('prod').length));
    expect(units('prod')?.monthly).toBeCloseTo(
      mappings('prod').length * PRICES.eventPollerUnitHour * PRICES.hoursPerMonth,
      1,
    );
  });

  it('prices what each preset runs: small brokers in dev, larger ones in prod, the GPU task prod keeps', () => {
    const items = (env: string) => estimates[env]!.idle.map((l) => l.item);
    expect(items('dev')).toContain('MSK broker kafka.t3.small');
    // The goal for an idle dev stack.
    expect(estimates.dev!.idleTotal).toBeLessThanOrEqual(300);
    expect(items('dev').some((i) => i.includes('(NLP)'))).toBe(false); // dev scales the GPU to zero
    expect(items('prod')).toContain('MSK broker kafka.m7g.large');
    const gpu = estimates.prod!.idle.find((l) => l.item === 'EC2 g6.xlarge (NLP)');
    expect(gpu?.quantity).toBe(String(PROD_CONFIG.nlp.minTasks));
    const total = (env: string) => estimates[env]!.idle.reduce((n, l) => n + l.monthly, 0);
    expect(estimates.dev!.idleTotal).toBeCloseTo(total('dev'), 1);
    expect(estimates.prod!.traffic.perMillionEvents).toBeGreaterThan(0);
  });
});
