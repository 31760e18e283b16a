import { describe, expect, it } from 'vitest';
import { writeKeyFromBody } from '../../../core/segment/body-write-key.ts';

describe('writeKeyFromBody', () => {
  it("reads analytics.js's and the mobile libraries' writeKey from the JSON body", () => {
    expect(writeKeyFromBody({ writeKey: 'wk_shop', type: 'track' })).toBe('wk_shop');
    expect(writeKeyFromBody({ writeKey: ' wk_shop ', batch: [] })).toBe('wk_shop');
  });

  it('finds none in a body without a usable one', () => {
    for (const body of [null, 'wk', [{ writeKey: 'wk' }], {}, { writeKey: '' }, { writeKey: 7 }])
      expect(writeKeyFromBody(body)).toBeUndefined();
  });
});
