import type { SdkEvent, SdkPage } from '../sdk/types.ts';
import type { CatalogProduct } from './catalog.ts';
import type { Prng } from './prng.ts';
import type { ZipfSampler } from './zipf.ts';

/** Drop-off and conversion odds of one visit; tuned to an ordinary e-commerce funnel. */
const ODDS = {
  searchInsteadOfView: 0.15,
  bannerClick: 0.08,
  addAfterView: 0.14,
  removeFromCart: 0.05,
  leaveAfterView: 0.12,
  checkoutWithCart: 0.3,
  abandonCheckout: 0.35,
  signupBeforePurchase: 0.15,
  loggedIn: 0.4,
} as const;

const SITE = 'https://shop.example';
const REFERRERS: readonly { url?: string; query?: string }[] = [
  {},
  {},
  { url: 'https://www.google.com/search?q=shop' },
  { url: 'https://www.google.com/search?q=shop' },
  { url: 'https://t.co/x1' },
  { url: 'https://www.facebook.com/' },
  { url: 'https://blog.example.org/best-gifts' },
  { query: '?utm_source=newsletter&utm_medium=email&utm_campaign=spring' },
  { query: '?gclid=Cj0KCQ' },
];
const SEARCH_TERMS = [
  'running shoes',
  'winter jacket',
  'gift',
  'headphones',
  'kettle',
  'lego',
  'serum',
  'tote bag',
];

type Stage = 'landing' | 'browsing' | 'purchase' | 'done';

export interface Shopper {
  readonly anonymousId: string;
  readonly userId: string | undefined;
  /** The shopper's device, relayed as event context (the generator is the "server" sending for it). */
  readonly device: { readonly user_agent: string; readonly ip: string; readonly locale: string };
}

// Weighted by repetition: mostly mobile Safari/Chrome and desktop Chrome, a few crawlers.
const USER_AGENTS = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
];
const BOT_AGENTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
];
const LOCALES = ['en-US', 'en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'nl-NL', 'ja-JP'];
const BOT_SHARE = 0.02;

/**
 * One visit of one shopper: landing, product views (popular products more often), cart,
 * checkout, purchase, with drop-offs at every step. `step` yields the next event, or
 * undefined when the visit is over.
 */
export class ShopperJourney {
  readonly #shopper: Shopper;
  readonly #sessionId: string;
  readonly #cart: CatalogProduct[] = [];
  #stage: Stage = 'landing';
  #userId: string | undefined;
  #lastPage: string | undefined;

  constructor(shopper: Shopper, rng: Prng) {
    this.#shopper = shopper;
    this.#userId = shopper.userId;
    this.#sessionId = `s-${rng.uuid().slice(0, 18)}`;
  }

  get done(): boolean {
    return this.#stage === 'done';
  }

  step(
    rng: Prng,
    catalog: readonly CatalogProduct[],
    zipf: ZipfSampler,
    nowMs: number,
  ): SdkEvent | undefined {
    const base = (type: SdkEvent['type']): SdkEvent => ({
      event_id: rng.uuid(),
      type,
      anonymous_id: this.#shopper.anonymousId,
      ...(this.#userId ? { user_id: this.#userId } : {}),
      session_id: this.#sessionId,
      timestamp: new Date(nowMs).toISOString(),
      context: this.#shopper.device,
    });
    switch (this.#stage) {
      case 'landing': {
        const ref = rng.pick(REFERRERS);
        const page: SdkPage = { url: `${SITE}/${ref.query ?? ''}`, path: '/', title: 'Shop' };
        if (ref.url) page.referrer = ref.url;
        this.#lastPage = page.url;
        this.#stage = 'browsing';
        return { ...base('page_view'), page };
      }
      case 'browsing':
        return this.#browse(rng, catalog, zipf, base);
      case 'purchase': {
        if (!this.#userId && rng.chance(ODDS.signupBeforePurchase)) {
          this.#userId = `u-${this.#shopper.anonymousId.slice(2, 14)}`;
          return base('signup');
        }
        this.#stage = 'done';
        return { ...base('purchase'), order: this.#order(rng, 'ord') };
      }
      case 'done':
        return undefined;
    }
  }

  #browse(
    rng: Prng,
    catalog: readonly CatalogProduct[],
    zipf: ZipfSampler,
    base: (type: SdkEvent['type']) => SdkEvent,
  ): SdkEvent {
    if (this.#cart.length > 0 && rng.chance(ODDS.checkoutWithCart)) return this.#checkout(rng, base);
    if (this.#cart.length > 0 && rng.chance(ODDS.removeFromCart)) {
      const removed = this.#cart.pop()!;
      return { ...base('remove_from_cart'), product: productOf(removed) };
    }
    if (rng.chance(ODDS.searchInsteadOfView)) {
      return { ...base('search'), properties: { query: rng.pick(SEARCH_TERMS) } };
    }
    if (rng.chance(ODDS.bannerClick)) {
      return { ...base('click'), properties: { element: 'banner', position: rng.int(1, 4) } };
    }
    const product = catalog[zipf.sample(rng)]!;
    if (rng.chance(ODDS.addAfterView)) {
      this.#cart.push(product);
      return { ...base('add_to_cart'), product: productOf(product) };
    }
    if (this.#stage === 'browsing' && this.#cart.length === 0 && rng.chance(ODDS.leaveAfterView)) {
      this.#stage = 'done';
    }
    const path = `/products/${product.id}`;
    const page: SdkPage = { url: `${SITE}${path}`, path, title: product.name };
    if (this.#lastPage) page.referrer = this.#lastPage;
    this.#lastPage = page.url;
    return { ...base('page_view'), page, product: productOf(product) };
  }

  #checkout(rng: Prng, base: (type: SdkEvent['type']) => SdkEvent): SdkEvent {
    this.#stage = rng.chance(ODDS.abandonCheckout) ? 'done' : 'purchase';
    return { ...base('checkout_started'), order: this.#order(rng, 'chk') };
  }

  #order(rng: Prng, prefix: string) {
    const items = this.#cart.map((p) => ({ product_id: p.id, quantity: 1, price: p.price }));
    const revenue = Math.round(items.reduce((sum, i) => sum + i.price, 0) * 100) / 100;
    return { id: `${prefix}-${rng.uuid().slice(0, 13)}`, revenue, currency: 'EUR', items };
  }
}

function productOf(p: CatalogProduct) {
  return { id: p.id, name: p.name, category: p.category, price: p.price, currency: 'EUR' };
}

export function makeShopper(index: number, rng: Prng): Shopper {
  const anonymousId = `a-${String(index).padStart(8, '0')}-${rng.uuid().slice(0, 8)}`;
  const userId = rng.chance(ODDS.loggedIn) ? `u-${String(index).padStart(8, '0')}` : undefined;
  const bot = rng.chance(BOT_SHARE);
  const device = {
    user_agent: bot ? rng.pick(BOT_AGENTS) : rng.pick(USER_AGENTS),
    // Addresses from the documentation ranges: realistic shape, never a real person's.
    ip: `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`,
    locale: rng.pick(LOCALES),
  };
  return { anonymousId, userId: bot ? undefined : userId, device };
}
