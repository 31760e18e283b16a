import { describe, expect, it } from 'vitest';
import { columnMap, parseMapping, sourceOf, sourcesUsed } from '../../../core/history/column-map.ts';

describe('--map', () => {
  it('reads field=column, a field from a column of another name', () => {
    expect(parseMapping('event_id=id')).toEqual(['event_id', 'id']);
    expect(parseMapping('properties.plan=Plan Name')).toEqual(['properties.plan', 'Plan Name']);
    expect(parseMapping('user_id=customer.id')).toEqual(['user_id', 'customer.id']);
  });

  it('names the rule a bad mapping breaks', () => {
    expect(() => parseMapping('event_id')).toThrow(/field=column/);
    expect(() => parseMapping('=id')).toThrow(/field=column/);
    expect(() => parseMapping('event_id=')).toThrow(/field=column/);
    expect(() => parseMapping('userid=customer')).toThrow(/userid is not a Spate field/);
    expect(() => parseMapping('properties.=x')).toThrow(/not a Spate field/);
    expect(() => columnMap(['type=kind', 'type=event'])).toThrow(/type is given twice/);
  });

  it('reads an unmapped field from the column of its own name', () => {
    const map = columnMap(['timestamp=created_at']);
    expect(sourceOf(map, 'timestamp')).toBe('created_at');
    expect(sourceOf(map, 'user_id')).toBe('user_id');
    const used = sourcesUsed(map);
    expect(used.has('created_at')).toBe(true);
    expect(used.has('page.url')).toBe(true);
    expect(used.has('plan')).toBe(false);
  });
});
