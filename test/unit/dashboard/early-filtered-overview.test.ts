import { afterEach, describe, expect, it } from 'vitest';
import {
  earlyFilteredOverviewValue,
  takeEarlyFilteredOverview,
} from '../../../dashboard/src/early-filtered-overview.ts';

const holder = globalThis as { __spateFilteredOverview?: unknown };

afterEach(() => {
  holder.__spateFilteredOverview = undefined;
});

describe('the filtered overview index.html asked for a filtered link', () => {
  it('is handed to the app once, and only for the same request', async () => {
    const answer = Promise.resolve({ events: 7 });
    holder.__spateFilteredOverview = { query: 'filter=source:google', answer };
    expect(takeEarlyFilteredOverview('filter=source:bing')).toBeUndefined();
    const taken = takeEarlyFilteredOverview('filter=source:google');
    expect(taken).toBe(answer);
    await expect(taken).resolves.toEqual({ events: 7 });
    // The next poll asks the query API itself.
    expect(takeEarlyFilteredOverview('filter=source:google')).toBeUndefined();
  });

  it('gives its answer for the first render once it has arrived, for the same request only', () => {
    holder.__spateFilteredOverview = { query: 'filter=device:mobile', answer: new Promise(() => {}) };
    expect(earlyFilteredOverviewValue('filter=device:mobile')).toBeUndefined();
    (holder.__spateFilteredOverview as { value?: object }).value = { events: 3, active_now: null };
    expect(earlyFilteredOverviewValue('filter=device:mobile')).toEqual({ events: 3, active_now: null });
    expect(earlyFilteredOverviewValue('filter=device:desktop')).toBeUndefined();
    expect(earlyFilteredOverviewValue('')).toBeUndefined();
  });

  it('is nothing on an unfiltered page', () => {
    expect(takeEarlyFilteredOverview('filter=source:google')).toBeUndefined();
    expect(earlyFilteredOverviewValue('filter=source:google')).toBeUndefined();
  });
});
