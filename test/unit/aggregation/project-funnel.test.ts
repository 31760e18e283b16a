import { describe, expect, it } from 'vitest';
import { stepMatches } from '../../../core/aggregation/funnel-definition.ts';
import { parseFunnelInput, revisionKey } from '../../../core/aggregation/project-funnel.ts';
import { InputError } from '../../../core/errors/spate-error.ts';
import { enrichedEvent } from './factories.ts';

function refusal(body: unknown): { field: string | undefined; rule: string | undefined; message: string } {
  try {
    parseFunnelInput(body);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect(e.status).toBe(400);
    return { field: e.field, rule: e.rule, message: e.message };
  }
  throw new Error('accepted');
}

describe('a funnel defined through the API', () => {
  it('takes steps as text in the catalog syntax or as objects with a product and properties', () => {
    const input = parseFunnelInput({
      name: '  Pro checkout ',
      steps: [
        'page_view+product',
        { type: 'add_to_cart' },
        { type: 'purchase', properties: { plan: 'pro', seats: '3' } },
      ],
    });
    expect(input.name).toBe('Pro checkout');
    expect(input.steps.map((s) => s.label)).toEqual([
      'page_view+product',
      'add_to_cart',
      'purchase[plan=pro,seats=3]',
    ]);
    expect(input.steps[0]!.withProduct).toBe(true);
    expect(input.steps[2]!.properties).toEqual({ plan: 'pro', seats: '3' });
  });

  it('refuses bad definitions naming the field and the rule', () => {
    const two = ['page_view', 'purchase'];
    expect(refusal({ steps: two })).toMatchObject({ field: 'name', rule: 'required' });
    expect(refusal({ name: 'x', steps: ['page_view'] })).toMatchObject({ field: 'steps', rule: 'minItems' });
    expect(refusal({ name: 'x', steps: Array(11).fill('page_view') })).toMatchObject({
      field: 'steps',
      rule: 'maxItems',
    });
    expect(refusal({ name: 'x', steps: ['page_view', 'Checkout Done'] })).toMatchObject({
      field: 'steps[1]',
    });
    expect(refusal({ name: 'x', steps: ['page_view', { type: 'nope' }] })).toMatchObject({
      field: 'steps[1].type',
      rule: 'pattern',
    });
    expect(
      refusal({ name: 'x', steps: ['page_view', { type: 'purchase', properties: { plan: 2 } }] }),
    ).toMatchObject({ field: 'steps[1].properties.plan', rule: 'type' });
    expect(
      refusal({ name: 'x', steps: ['page_view', { type: 'purchase', properties: { 'a.b': 'c' } }] }),
    ).toMatchObject({ field: 'steps[1].properties.a.b', rule: 'propertyNames' });
    expect(refusal({ name: 'x', steps: two, window: 3 })).toMatchObject({
      field: 'window',
      rule: 'additionalProperties',
    });
    expect(refusal([1, 2])).toMatchObject({ field: 'body', rule: 'type' });
  });

  it('matches a property as filters read it: text as itself, numbers and booleans as JSON text', () => {
    const [step] = parseFunnelInput({
      name: 'x',
      steps: [{ type: 'purchase', properties: { plan: 'pro', seats: '3', trial: 'false' } }, 'page_view'],
    }).steps;
    const purchase = (properties: Record<string, unknown> | null) =>
      enrichedEvent({ type: 'purchase', properties });
    expect(stepMatches(step!, purchase({ plan: 'pro', seats: 3, trial: false }))).toBe(true);
    expect(stepMatches(step!, purchase({ plan: 'pro', seats: '3', trial: 'false' }))).toBe(true);
    expect(stepMatches(step!, purchase({ plan: 'free', seats: 3, trial: false }))).toBe(false);
    expect(stepMatches(step!, purchase({ plan: 'pro', seats: 3 }))).toBe(false);
    expect(stepMatches(step!, purchase(null))).toBe(false);
    expect(stepMatches(step!, enrichedEvent({ properties: { plan: 'pro', seats: 3, trial: false } }))).toBe(
      false,
    );
  });

  it('names each revision apart, so an edit never counts into the old steps', () => {
    expect(revisionKey({ id: 'f1', revisionMs: 10 })).not.toBe(revisionKey({ id: 'f1', revisionMs: 11 }));
  });
});
