import type { NormalisedText } from './normalise.ts';

/**
 * Entities of a tweet: what it tags (#, @, $), where it links to, and which known brands or
 * products it names. Known entities come from configuration, each with its spellings.
 */
export interface KnownEntity {
  readonly name: string;
  readonly type: string;
  /** Spellings that name it, matched as whole words, case-insensitive ("iphone", "iphone 15"). */
  readonly aliases: readonly string[];
}

export interface TweetEntities {
  readonly hashtags: readonly string[];
  readonly mentions: readonly string[];
  readonly cashtags: readonly string[];
  readonly domains: readonly string[];
  readonly known: readonly { readonly name: string; readonly type: string }[];
}

/** Aliases indexed by their first word, so matching is one pass over the tokens. */
export class EntityCatalogue {
  private readonly byFirstWord = new Map<string, { words: string[]; entity: KnownEntity }[]>();

  constructor(readonly entities: readonly KnownEntity[]) {
    for (const entity of entities) {
      for (const alias of [entity.name, ...entity.aliases]) {
        const words = alias.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'_-]*/gu) ?? [];
        const first = words[0];
        if (first === undefined) continue;
        const list = this.byFirstWord.get(first) ?? [];
        list.push({ words, entity });
        // Longest aliases first, so "iphone 15 pro" wins over "iphone".
        list.sort((a, b) => b.words.length - a.words.length);
        this.byFirstWord.set(first, list);
      }
    }
  }

  find(tokens: readonly string[]): KnownEntity[] {
    const found = new Set<KnownEntity>();
    for (let i = 0; i < tokens.length; i++) {
      const candidates = this.byFirstWord.get(tokens[i] ?? '');
      if (candidates === undefined) continue;
      for (const { words, entity } of candidates) {
        if (words.every((w, k) => tokens[i + k] === w)) {
          found.add(entity);
          break;
        }
      }
    }
    return [...found];
  }
}

export function extractEntities(norm: NormalisedText, catalogue: EntityCatalogue): TweetEntities {
  // Hashtags and cashtags name entities too: #acme or $ACME.
  const tokens = [
    ...norm.tokens,
    ...norm.hashtags,
    ...norm.mentions,
    ...norm.cashtags.map((c) => c.toLowerCase()),
  ];
  return {
    hashtags: unique(norm.hashtags),
    mentions: unique(norm.mentions),
    cashtags: unique(norm.cashtags),
    domains: unique(norm.urls.map(urlDomain).filter((d): d is string => d !== undefined)),
    known: catalogue.find(tokens).map((e) => ({ name: e.name, type: e.type })),
  };
}

export function urlDomain(url: string): string | undefined {
  try {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//iu.test(url) ? url : `http://${url}`;
    return new URL(withScheme).hostname.replace(/^www\./u, '').toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
