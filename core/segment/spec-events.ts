import type { Order, Product } from '../events/event-schema.ts';
import type { KnownEventType } from '../events/event-types.ts';

/** Segment's e-commerce and lifecycle spec events that have a Spate type of their own. */
export const SPEC_EVENT_TYPES: Readonly<Record<string, KnownEventType>> = {
  'Product Added': 'add_to_cart',
  'Product Removed': 'remove_from_cart',
  'Checkout Started': 'checkout_started',
  'Order Completed': 'purchase',
  'Products Searched': 'search',
  'Product Clicked': 'click',
  'Product Viewed': 'page_view',
  'Signed Up': 'signup',
};

/** A custom event name as a Spate `x_` type: `Video Played` -> `x_video_played`. */
export function customType(name: string): `x_${string}` {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return `x_${slug || 'event'}`;
}

const str = (v: unknown, max: number): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : typeof v === 'number' ? String(v) : undefined;
const money = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= 1e9 ? n : undefined;
};
const currency = (v: unknown): string | undefined =>
  typeof v === 'string' && /^[a-zA-Z]{3}$/.test(v) ? v.toUpperCase() : undefined;

/** Spec `properties` of a product event (`product_id`, `sku`, `name`, `price`, ...) as a Spate product. */
export function productFrom(props: Readonly<Record<string, unknown>>): Product | undefined {
  const id = str(props.product_id, 128) ?? str(props.sku, 128) ?? str(props.id, 128);
  if (id === undefined) return undefined;
  return dropUndefined({
    id,
    name: str(props.name, 256),
    category: str(props.category, 256),
    price: money(props.price),
    currency: currency(props.currency),
  });
}

/** Spec `properties` of Order Completed / Checkout Started as a Spate order. */
export function orderFrom(props: Readonly<Record<string, unknown>>, fallbackId: string): Order {
  const products = Array.isArray(props.products) ? props.products.slice(0, 500) : [];
  const items = products.flatMap((p) => {
    if (p === null || typeof p !== 'object') return [];
    const product = p as Record<string, unknown>;
    const productId = str(product.product_id, 128) ?? str(product.sku, 128) ?? str(product.id, 128);
    if (productId === undefined) return [];
    const quantity =
      typeof product.quantity === 'number' && Number.isInteger(product.quantity) ? product.quantity : 1;
    return [
      dropUndefined({
        product_id: productId,
        quantity: Math.min(Math.max(quantity, 1), 100_000),
        price: money(product.price),
      }),
    ];
  });
  const itemsTotal = items.reduce((sum, i) => sum + (i.price ?? 0) * (i.quantity ?? 1), 0);
  return dropUndefined({
    id: str(props.order_id, 128) ?? str(props.checkout_id, 128) ?? fallbackId,
    revenue: money(props.revenue) ?? money(props.total) ?? money(props.value) ?? itemsTotal,
    // Segment's spec: currency defaults to USD when a client leaves it out.
    currency: currency(props.currency) ?? 'USD',
    items: items.length > 0 ? items : undefined,
  });
}

export function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
