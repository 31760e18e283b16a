import { useEffect } from 'react';

/** The first-paint benchmark's mark (bench/dashboard/first-paint.ts); index.html sets it too. */
export const FIRST_NUMBERS_MARK = 'spate:first-numbers';

const marked = () => performance.getEntriesByName(FIRST_NUMBERS_MARK).length > 0;

/**
 * Marks the first frame that shows the tiles' numbers: `shown` says the tiles have the figures
 * the page is about (a filtered page's filtered ones). Once a page: when index.html's shell
 * painted them already, its mark stands. rAF then a task: the mark lands just after that frame.
 */
export function useFirstNumbersMark(shown: boolean): void {
  useEffect(() => {
    if (!shown || marked()) return;
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (!marked()) performance.mark(FIRST_NUMBERS_MARK);
      }, 0),
    );
  }, [shown]);
}
