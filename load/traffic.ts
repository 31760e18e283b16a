import type { SdkEvent } from '../sdk/types.ts';
import { makeCatalog } from './catalog.ts';
import { Prng } from './prng.ts';
import { makeShopper, type Shopper, ShopperJourney } from './shopper-journey.ts';
import { ZipfSampler } from './zipf.ts';

export interface TrafficOptions {
  readonly seed: number;
  /** Distinct shoppers; each comes back for new visits. */
  readonly users: number;
  readonly products?: number;
}

/**
 * The shop's event stream: each event advances the visit of a randomly chosen shopper.
 * Everything but the timestamps follows from the seed, so the same seed replays the same traffic.
 */
export class ShopTraffic {
  readonly #rng: Prng;
  readonly #catalog;
  readonly #zipf: ZipfSampler;
  readonly #shoppers: (Shopper | undefined)[];
  readonly #visits = new Map<number, ShopperJourney>();

  constructor(options: TrafficOptions) {
    if (!(options.users >= 1)) throw new Error('users must be >= 1');
    this.#rng = new Prng(options.seed);
    const products = options.products ?? 2000;
    this.#catalog = makeCatalog(new Prng(options.seed ^ 0x5eed), products);
    this.#zipf = new ZipfSampler(products);
    this.#shoppers = new Array(options.users);
  }

  next(nowMs: number): SdkEvent {
    for (;;) {
      const index = this.#rng.int(0, this.#shoppers.length - 1);
      let visit = this.#visits.get(index);
      if (!visit || visit.done) {
        let shopper = this.#shoppers[index];
        if (!shopper) {
          shopper = makeShopper(index, this.#rng);
          this.#shoppers[index] = shopper;
        }
        visit = new ShopperJourney(shopper, this.#rng);
        this.#visits.set(index, visit);
      }
      const event = visit.step(this.#rng, this.#catalog, this.#zipf, nowMs);
      if (event) return event;
    }
  }
}
