import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import type { EventType } from '../../../core/events/event-types.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';

const TYPES: EventType[] = [
  'page_view',
  'page_view',
  'page_view',
  'add_to_cart',
  'checkout_started',
  'purchase',
  'click',
];
const CURRENCIES = ['EUR', 'USD'];

/** Shop-like traffic over the last few minutes, per partition in offset order. */
export function shopTraffic(
  random: () => number,
  partitions: number,
  perPartition: number,
): EnrichedEvent[][] {
  const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
  return Array.from({ length: partitions }, (_, p) =>
    Array.from({ length: perPartition }, (_, i) => {
      const type = TYPES[Math.floor(random() * TYPES.length)]!;
      const product = random() < 0.6 ? { id: `p${Math.floor(random() * 12)}` } : null;
      const ts = startMs + Math.floor((i / perPartition) * 240_000 + random() * 1000);
      return enrichedEvent({
        type,
        project: random() < 0.8 ? 'shop' : 'blog',
        // Users live on one partition, as events.raw is keyed by user.
        user_id: `u${p}-${Math.floor(random() * 40)}`,
        is_bot: random() < 0.05,
        timestamp: new Date(ts).toISOString(),
        product,
        page: { path: product ? `/p/${product.id}` : `/c/${Math.floor(random() * 5)}` },
        order:
          type === 'purchase'
            ? {
                id: `o${p}-${i}`,
                revenue: Math.round(random() * 20_000) / 100,
                currency: CURRENCIES[Math.floor(random() * 2)]!,
                items: product ? [{ product_id: product.id, quantity: 1 + Math.floor(random() * 3) }] : [],
              }
            : null,
      });
    }),
  );
}
