import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { PROJECT } from '../push/push-stack.ts';

/** What the breakdown should answer, from the events themselves. */
export function breakdownTruth(
  events: readonly EnrichedEvent[],
  metric: 'events' | 'visitors' | 'orders' | 'revenue',
  keyOf: (e: EnrichedEvent) => string,
  filter: (e: EnrichedEvent) => boolean = () => true,
  limit = 1000,
) {
  const sums = new Map<string, number>();
  const visitors = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.project !== PROJECT || !filter(e)) continue;
    const key = keyOf(e);
    if (metric === 'visitors') {
      const visitor = e.user_id ?? e.anonymous_id ?? '';
      if (e.is_bot || visitor === '') continue;
      visitors.set(key, (visitors.get(key) ?? new Set()).add(visitor));
    } else if (metric === 'events') sums.set(key, (sums.get(key) ?? 0) + 1);
    else if (e.type === 'purchase' && (metric === 'orders' || e.order?.currency === 'EUR'))
      sums.set(key, (sums.get(key) ?? 0) + (metric === 'orders' ? 1 : revenueMinorUnits(e.order!.revenue)));
  }
  for (const [key, ids] of visitors) sums.set(key, ids.size);
  return [...sums]
    .map(([key, value]) => ({ key, value: metric === 'revenue' ? value / 100 : value }))
    .filter((r) => r.value > 0)
    .sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, limit);
}
