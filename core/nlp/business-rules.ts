import { InputError } from '../errors/spate-error.ts';
import type { KnownEntity } from './entities.ts';
import type { Taxonomy } from './topics.ts';

/**
 * The business rules of the NLP worker: what to watch, when to alert, which entities and
 * topics to look for. They live in a JSON file the worker reloads without a restart, so a
 * bad edit must be rejected with a message naming the field, and the old rules kept.
 */
export interface BusinessRules {
  /** Risk score in [0, 1] from which a tweet goes to tweets.alerts. */
  readonly alertThreshold: number;
  /** Words or phrases that always raise an alert. */
  readonly watchedKeywords: readonly string[];
  /** Known entity names that raise an alert when named in a tweet at or below `watchedSentimentBelow`. */
  readonly watchedEntities: readonly string[];
  readonly watchedSentimentBelow: number;
  readonly entities: readonly KnownEntity[];
  /** Replaces the default taxonomy when given. */
  readonly taxonomy?: Taxonomy;
  /** Extra words per risk flag, added to the built-in lists. */
  readonly extraRiskWords: Readonly<
    Partial<Record<'insult' | 'threat' | 'profanity' | 'spam', readonly string[]>>
  >;
}

export const DEFAULT_RULES: BusinessRules = {
  alertThreshold: 0.8,
  watchedKeywords: [],
  watchedEntities: [],
  watchedSentimentBelow: -0.5,
  entities: [],
  extraRiskWords: {},
};

export class RulesError extends InputError {
  override readonly name = 'RulesError';

  constructor(field: string, rule: string) {
    super(`rules.${field}: ${rule}`, { field: `rules.${field}`, rule });
  }
}

export function parseBusinessRules(value: unknown): BusinessRules {
  const obj = record(value, '(root)');
  const known = new Set([
    'alertThreshold',
    'watchedKeywords',
    'watchedEntities',
    'watchedSentimentBelow',
    'entities',
    'taxonomy',
    'extraRiskWords',
  ]);
  for (const key of Object.keys(obj))
    if (!known.has(key)) throw new RulesError(key, 'is not a known setting');

  const alertThreshold = numberIn(obj.alertThreshold ?? DEFAULT_RULES.alertThreshold, 'alertThreshold', 0, 1);
  const watchedSentimentBelow = numberIn(
    obj.watchedSentimentBelow ?? DEFAULT_RULES.watchedSentimentBelow,
    'watchedSentimentBelow',
    -1,
    1,
  );
  const watchedKeywords = strings(obj.watchedKeywords ?? [], 'watchedKeywords');
  const watchedEntities = strings(obj.watchedEntities ?? [], 'watchedEntities');
  const entities = list(obj.entities ?? [], 'entities').map((e, i): KnownEntity => {
    const r = record(e, `entities[${i}]`);
    const name = nonEmpty(r.name, `entities[${i}].name`);
    return {
      name,
      type: r.type === undefined ? 'brand' : nonEmpty(r.type, `entities[${i}].type`),
      aliases: strings(r.aliases ?? [], `entities[${i}].aliases`),
    };
  });
  const names = new Set(entities.map((e) => e.name));
  watchedEntities.forEach((w, i) => {
    if (!names.has(w))
      throw new RulesError(`watchedEntities[${i}]`, `"${w}" is not the name of an entity in rules.entities`);
  });

  let taxonomy: Taxonomy | undefined;
  if (obj.taxonomy !== undefined) {
    const t = record(obj.taxonomy, 'taxonomy');
    taxonomy = Object.fromEntries(
      Object.entries(t).map(([topic, cues]) => [topic, strings(cues, `taxonomy.${topic}`)]),
    );
  }
  const extra = record(obj.extraRiskWords ?? {}, 'extraRiskWords');
  const extraRiskWords: Record<string, readonly string[]> = {};
  for (const [flag, words] of Object.entries(extra)) {
    if (!['insult', 'threat', 'profanity', 'spam'].includes(flag)) {
      throw new RulesError(`extraRiskWords.${flag}`, 'must be one of insult, threat, profanity, spam');
    }
    extraRiskWords[flag] = strings(words, `extraRiskWords.${flag}`);
  }
  return {
    alertThreshold,
    watchedKeywords,
    watchedEntities,
    watchedSentimentBelow,
    entities,
    ...(taxonomy !== undefined ? { taxonomy } : {}),
    extraRiskWords,
  };
}

function record(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new RulesError(field, 'must be an object');
  return v as Record<string, unknown>;
}

function list(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw new RulesError(field, 'must be an array');
  return v;
}

function strings(v: unknown, field: string): string[] {
  return list(v, field).map((s, i) => nonEmpty(s, `${field}[${i}]`));
}

function nonEmpty(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new RulesError(field, 'must be a non-empty string');
  return v.trim();
}

function numberIn(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new RulesError(field, `must be a number from ${min} to ${max}`);
  }
  return v;
}
