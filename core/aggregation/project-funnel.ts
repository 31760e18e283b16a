import { InputError } from '../errors/spate-error.ts';
import { EVENT_TYPE_PATTERN } from '../events/event-types.ts';
import {
  type FunnelDefinition,
  type FunnelStep,
  parseFunnelStep,
  SESSION_WINDOW_MS,
} from './funnel-definition.ts';

/**
 * A funnel a project defined at run time, through the query API, next to the deploy-time
 * catalog's one (which answers as `default`). It counts in the hot tier from `revisionMs` on:
 * an edit starts a new revision whose counts and visitor progress are kept apart from the old
 * steps'. Its answer over history is computed from the warm tier's event rows.
 */
export interface ProjectFunnel {
  readonly project: string;
  readonly id: string;
  readonly name: string;
  readonly definition: FunnelDefinition;
  readonly createdMs: number;
  /** When the current steps were saved: the hot tier counts them from here on. */
  readonly revisionMs: number;
}

/** What a client sends to create or edit a funnel. */
export interface FunnelInput {
  readonly name: string;
  readonly steps: readonly FunnelStep[];
}

export const MIN_STEPS = 2;
export const MAX_STEPS = 10;
/** Each funnel is advanced for every event of its project: the count per project is bounded. */
export const MAX_FUNNELS_PER_PROJECT = 20;
const MAX_PROPERTIES_PER_STEP = 5;
const MAX_NAME_LENGTH = 100;
const MAX_VALUE_LENGTH = 256;
/** As filters name a custom property (core/query/dimension.ts). */
const PROPERTY_NAME = /^[A-Za-z0-9_$-]{1,64}$/;
const typePattern = new RegExp(EVENT_TYPE_PATTERN);
/**
 * Ids the API makes (`f` and 12 hex digits); `default` is the deploy-time funnel's. Any other
 * id is unknown without asking the store.
 */
export const FUNNEL_ID_PATTERN = /^f[0-9a-f]{12}$/;
export const DEFAULT_FUNNEL_ID = 'default';

export function newFunnelId(uuid: string): string {
  return `f${uuid.replaceAll('-', '').slice(0, 12)}`;
}

function invalid(message: string, field: string, rule: string): InputError {
  return new InputError(message, { code: 'invalid_funnel', field, rule });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A step as text in the deploy-time catalog's syntax (`page_view+product`), or as an object:
 * `{ "type": "page_view", "product": true, "properties": { "plan": "pro" } }`.
 */
function parseStepInput(raw: unknown, field: string): FunnelStep {
  if (typeof raw === 'string') {
    try {
      return parseFunnelStep(raw, field);
    } catch (err) {
      throw invalid((err as Error).message, field, 'pattern');
    }
  }
  if (!isObject(raw))
    throw invalid(
      `${field}: must be an event type, or an object with type, product and properties`,
      field,
      'type',
    );
  for (const key of Object.keys(raw))
    if (!['type', 'product', 'properties'].includes(key))
      throw invalid(
        `${field}.${key}: unknown; a step has type, product and properties`,
        `${field}.${key}`,
        'additionalProperties',
      );
  const { type, product, properties } = raw;
  if (typeof type !== 'string' || !typePattern.test(type))
    throw invalid(
      `${field}.type: must be an event type (page_view, add_to_cart, ... or x_<name>)`,
      `${field}.type`,
      'pattern',
    );
  if (product !== undefined && typeof product !== 'boolean')
    throw invalid(`${field}.product: must be true or false`, `${field}.product`, 'type');
  let matched: Record<string, string> | undefined;
  if (properties !== undefined) {
    if (!isObject(properties))
      throw invalid(
        `${field}.properties: must be an object of property name to value`,
        `${field}.properties`,
        'type',
      );
    const entries = Object.entries(properties);
    if (entries.length === 0 || entries.length > MAX_PROPERTIES_PER_STEP)
      throw invalid(
        `${field}.properties: must name 1 to ${MAX_PROPERTIES_PER_STEP} properties`,
        `${field}.properties`,
        'maxProperties',
      );
    matched = {};
    for (const [name, value] of entries) {
      const at = `${field}.properties.${name}`;
      if (!PROPERTY_NAME.test(name))
        throw invalid(`${at}: a property name is 1-64 letters, digits, _, - or $`, at, 'propertyNames');
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE_LENGTH)
        throw invalid(
          `${at}: must be text of 1-${MAX_VALUE_LENGTH} characters (a number or boolean as its JSON text, "42", "true")`,
          at,
          'type',
        );
      matched[name] = value;
    }
  }
  const label = `${type}${product ? '+product' : ''}${
    matched
      ? `[${Object.entries(matched)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}]`
      : ''
  }`;
  return { type, withProduct: product === true, label, ...(matched ? { properties: matched } : {}) };
}

/** A create or edit request's body, checked: every error names the field and the rule. */
export function parseFunnelInput(body: unknown): FunnelInput {
  if (!isObject(body)) throw invalid('body: must be a JSON object with name and steps', 'body', 'type');
  for (const key of Object.keys(body))
    if (!['name', 'steps'].includes(key))
      throw invalid(`${key}: unknown; a funnel has name and steps`, key, 'additionalProperties');
  const { name, steps } = body;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_NAME_LENGTH)
    throw invalid(`name: required, 1-${MAX_NAME_LENGTH} characters`, 'name', 'required');
  if (!Array.isArray(steps))
    throw invalid(`steps: required, a list of ${MIN_STEPS}-${MAX_STEPS} steps`, 'steps', 'required');
  if (steps.length < MIN_STEPS || steps.length > MAX_STEPS)
    throw invalid(
      `steps: a funnel has ${MIN_STEPS} to ${MAX_STEPS} steps, got ${steps.length}`,
      'steps',
      steps.length < MIN_STEPS ? 'minItems' : 'maxItems',
    );
  return { name: name.trim(), steps: steps.map((s, i) => parseStepInput(s, `steps[${i}]`)) };
}

/** Builds the stored funnel; the window is the session's, as the deploy-time funnel's. */
export function projectFunnel(
  project: string,
  id: string,
  input: FunnelInput,
  createdMs: number,
  revisionMs: number,
): ProjectFunnel {
  return {
    project,
    id,
    name: input.name,
    definition: { steps: input.steps, windowMs: SESSION_WINDOW_MS },
    createdMs,
    revisionMs,
  };
}

/** Names a funnel's revision in hot-tier keys: an edit's counts never mix with the old steps'. */
export function revisionKey(funnel: Pick<ProjectFunnel, 'id' | 'revisionMs'>): string {
  return `${funnel.id}.${funnel.revisionMs}`;
}

/** How the API shows a funnel: steps in the object form the API takes. */
export function funnelView(funnel: ProjectFunnel) {
  return {
    id: funnel.id,
    name: funnel.name,
    steps: funnel.definition.steps.map((s) => ({
      type: s.type,
      ...(s.withProduct ? { product: true } : {}),
      ...(s.properties ? { properties: s.properties } : {}),
      label: s.label,
    })),
    window_s: funnel.definition.windowMs / 1000,
    created_at: new Date(funnel.createdMs).toISOString(),
    updated_at: new Date(funnel.revisionMs).toISOString(),
  };
}
