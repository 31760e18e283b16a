import { describe, expect, it } from 'vitest';
import { linesFromSteps, stepsFromLines } from '../../../dashboard/src/funnel-form.ts';

describe("the funnels editor's steps", () => {
  it('reads a step a line: a type, +product, and property matches; blank lines are left out', () => {
    const steps = stepsFromLines('page_view+product\n\n  add_to_cart \npurchase plan=pro seats=3\n');
    expect(steps).toEqual([
      { type: 'page_view', product: true },
      { type: 'add_to_cart' },
      { type: 'purchase', properties: { plan: 'pro', seats: '3' } },
    ]);
    expect(stepsFromLines(linesFromSteps(steps))).toEqual(steps);
  });

  it('passes a malformed line on as it is, for the API to name in its 400', () => {
    expect(stepsFromLines('Page View')).toEqual([{ type: 'Page', properties: { View: '' } }]);
  });
});
