import type { EnrichedEvent } from '../events/enriched-event.ts';
import { EVENT_TYPE_PATTERN } from '../events/event-types.ts';

/**
 * A step matches an event type, optionally only when the event carries a product and only when
 * its custom properties have the given values.
 */
export interface FunnelStep {
  readonly type: string;
  readonly withProduct: boolean;
  /** As configured, e.g. `page_view+product`; also the step's label. */
  readonly label: string;
  /**
   * Property name to value, each read as text as filters read it (core/query/dimension.ts):
   * a string as itself, a number or boolean as its JSON text (`42`, `true`).
   */
  readonly properties?: Readonly<Record<string, string>>;
}

export interface FunnelDefinition {
  readonly steps: readonly FunnelStep[];
  /** A visitor must go from the first step to the last within this long. */
  readonly windowMs: number;
}

export const SESSION_WINDOW_MS = 30 * 60_000;

export const DEFAULT_FUNNEL_STEPS = [
  'page_view',
  'page_view+product',
  'add_to_cart',
  'checkout_started',
  'purchase',
] as const;

const typePattern = new RegExp(EVENT_TYPE_PATTERN);

export function parseFunnelStep(text: string, field: string): FunnelStep {
  const [type, qualifier, extra] = text.split('+');
  if (extra !== undefined || type === undefined || !typePattern.test(type))
    throw new Error(`${field}: "${text}" must be an event type, optionally followed by +product`);
  if (qualifier !== undefined && qualifier !== 'product')
    throw new Error(`${field}: only the +product qualifier is known, got +${qualifier}`);
  return { type, withProduct: qualifier === 'product', label: text };
}

export function defineFunnel(
  steps: readonly string[],
  field = 'steps',
  windowMs = SESSION_WINDOW_MS,
): FunnelDefinition {
  if (steps.length < 2 || steps.length > 20)
    throw new Error(`${field}: a funnel needs between 2 and 20 steps, got ${steps.length}`);
  return { steps: steps.map((s, i) => parseFunnelStep(s, `${field}[${i}]`)), windowMs };
}

export function stepMatches(step: FunnelStep, event: EnrichedEvent): boolean {
  if (event.type !== step.type || (step.withProduct && event.product == null)) return false;
  if (step.properties === undefined) return true;
  for (const [name, value] of Object.entries(step.properties))
    if (propertyText(event.properties?.[name]) !== value) return false;
  return true;
}

/** A property's value as text, as core/query/dimension.ts reads it in SQL ('' when missing). */
export function propertyText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The funnel of each project: configured ones by name, the default for every other. */
export interface FunnelCatalog {
  readonly fallback: FunnelDefinition;
  readonly byProject: ReadonlyMap<string, FunnelDefinition>;
}

export function funnelFor(catalog: FunnelCatalog, project: string): FunnelDefinition {
  return catalog.byProject.get(project) ?? catalog.fallback;
}

/** Reads `{"project": ["page_view", "add_to_cart", ...]}` (the FUNNELS setting). */
export function parseFunnelCatalog(json: string | undefined, field = 'FUNNELS'): FunnelCatalog {
  const fallback = defineFunnel(DEFAULT_FUNNEL_STEPS);
  if (json === undefined || json.trim() === '') return { fallback, byProject: new Map() };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${field}: must be JSON mapping project to a list of steps`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${field}: must be a JSON object mapping project to a list of steps`);
  const byProject = new Map<string, FunnelDefinition>();
  for (const [project, steps] of Object.entries(value)) {
    if (!Array.isArray(steps) || !steps.every((s) => typeof s === 'string'))
      throw new Error(`${field}.${project}: must be a list of step strings`);
    byProject.set(project, defineFunnel(steps, `${field}.${project}`));
  }
  return { fallback, byProject };
}
