/**
 * Topic scoring against a configurable taxonomy: each topic is a set of cue words and
 * phrases. A tweet's score for a topic grows with the cues it contains and saturates at 1,
 * so one strong cue counts and a keyword-stuffed tweet cannot exceed 1.
 */
export type Taxonomy = Readonly<Record<string, readonly string[]>>;

export const DEFAULT_TAXONOMY: Taxonomy = {
  products: [
    'product',
    'products',
    'phone',
    'laptop',
    'device',
    'model',
    'quality',
    'feature',
    'features',
    'battery',
    'screen',
    'broken',
    'defective',
    'works',
    'item',
    'gadget',
    'warranty',
    'upgrade',
    'release',
    'launch',
  ],
  shipping: [
    'shipping',
    'shipped',
    'delivery',
    'delivered',
    'deliver',
    'package',
    'parcel',
    'courier',
    'tracking',
    'arrived',
    'arrive',
    'late',
    'delayed',
    'delay',
    'lost package',
    'out for delivery',
    'dispatch',
    'dispatched',
    'order',
    'ups',
    'fedex',
    'dhl',
  ],
  pricing: [
    'price',
    'prices',
    'pricing',
    'cost',
    'costs',
    'expensive',
    'cheap',
    'discount',
    'sale',
    'deal',
    'deals',
    'coupon',
    'refund',
    'overpriced',
    'subscription',
    'fee',
    'fees',
    'afford',
    'affordable',
    'worth',
    'money',
    'dollars',
    'bucks',
  ],
  customer_service: [
    'support',
    'customer service',
    'service',
    'agent',
    'helpdesk',
    'help desk',
    'hold',
    'on hold',
    'complaint',
    'complain',
    'response',
    'respond',
    'reply',
    'replied',
    'chat',
    'call center',
    'email',
    'ticket',
    'manager',
    'representative',
    'staff',
    'rude',
    'helpful',
  ],
  sports: [
    'game',
    'match',
    'team',
    'score',
    'goal',
    'goals',
    'league',
    'season',
    'coach',
    'player',
    'players',
    'football',
    'soccer',
    'basketball',
    'baseball',
    'tennis',
    'nba',
    'nfl',
    'fifa',
    'world cup',
    'championship',
    'win',
    'won',
    'playoffs',
    'olympics',
  ],
  politics: [
    'election',
    'vote',
    'voting',
    'voters',
    'president',
    'government',
    'senate',
    'congress',
    'parliament',
    'minister',
    'policy',
    'politics',
    'political',
    'campaign',
    'democrats',
    'republicans',
    'law',
    'bill',
    'tax',
    'taxes',
    'immigration',
    'debate',
  ],
  entertainment: [
    'movie',
    'movies',
    'film',
    'show',
    'series',
    'episode',
    'music',
    'song',
    'album',
    'concert',
    'tour',
    'netflix',
    'actor',
    'actress',
    'celebrity',
    'tv',
    'trailer',
    'premiere',
    'festival',
    'singer',
    'band',
    'oscars',
    'grammys',
  ],
  technology: [
    'tech',
    'technology',
    'software',
    'app',
    'apps',
    'update',
    'bug',
    'crash',
    'crashes',
    'ai',
    'cloud',
    'data',
    'internet',
    'wifi',
    'server',
    'outage',
    'android',
    'ios',
    'code',
    'developer',
    'startup',
    'robot',
    'chip',
    'gpu',
  ],
};

export class TopicScorer {
  private readonly single = new Map<string, string[]>();
  private readonly phrases: { words: string[]; topic: string }[] = [];

  constructor(readonly taxonomy: Taxonomy = DEFAULT_TAXONOMY) {
    for (const [topic, cues] of Object.entries(taxonomy)) {
      for (const cue of cues) {
        const words = cue.toLowerCase().split(/\s+/u).filter(Boolean);
        if (words.length === 1) this.single.set(words[0]!, [...(this.single.get(words[0]!) ?? []), topic]);
        else if (words.length > 1) this.phrases.push({ words, topic });
      }
    }
  }

  /** Scores in (0, 1] for each topic with at least one cue; topics without cues are left out. */
  score(tokens: readonly string[]): Record<string, number> {
    const hits = new Map<string, number>();
    const bump = (topic: string) => hits.set(topic, (hits.get(topic) ?? 0) + 1);
    for (const token of tokens) for (const topic of this.single.get(token) ?? []) bump(topic);
    if (this.phrases.length > 0) {
      const joined = ` ${tokens.join(' ')} `;
      for (const { words, topic } of this.phrases) if (joined.includes(` ${words.join(' ')} `)) bump(topic);
    }
    const scores: Record<string, number> = {};
    for (const [topic, n] of hits) scores[topic] = round3(1 - Math.exp(-0.9 * n));
    return scores;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
