import { ConfigError, type Env, EnvReader } from './env-reader.ts';

/**
 * A setting whose value is a secret (write keys, a signing key, a password). On AWS the
 * function's environment carries only the ARN of the Secrets Manager secret, and the function
 * reads the value at run time: a value in the environment could be read by anyone allowed to
 * read the function's configuration, and would change only with a redeploy. Locally and in
 * tests the plain variable holds the value itself, and wins when both are set.
 */
export interface SecretSetting {
  /** The variable holding the value itself, e.g. `SPATE_WRITE_KEYS`. */
  readonly variable: string;
  /**
   * The variable holding the secret's ARN, e.g. `SPATE_WRITE_KEYS_SECRET_ARN` (a name works too:
   * GetSecretValue takes either).
   */
  readonly arnVariable: string;
  /**
   * The field to take from a JSON secret such as `{"username": ..., "password": ...}`.
   * @default the whole secret string
   */
  readonly jsonField?: string;
  /**
   * What the value is, for the error that says it is missing.
   * @default no description
   */
  readonly holds?: string;
}

/**
 * How long a value read from Secrets Manager is reused: a rotated secret reaches running
 * functions within this, with no redeploy, and a warm function does not call Secrets Manager on
 * every invocation.
 */
export const SECRET_MAX_AGE_S = 300;

/** The setting's current value; a secret read at most once per SECRET_MAX_AGE_S. */
export type SecretSource = () => Promise<string>;

/** Where a setting's value comes from; neither variable set is a ConfigError naming both. */
export function secretSource(environment: Env, setting: SecretSetting): SecretSource {
  const source = optionalSecretSource(environment, setting);
  if (source === undefined)
    throw new ConfigError(
      `${setting.variable} (or ${setting.arnVariable}, the ARN of a secret holding it) is required${setting.holds ? `: ${setting.holds}` : ''}`,
    );
  return source;
}

/** As secretSource, for a setting that may be absent (a store without a password). */
export function optionalSecretSource(environment: Env, setting: SecretSetting): SecretSource | undefined {
  const env = new EnvReader(environment);
  const plain = env.optional(setting.variable);
  if (plain !== undefined) return () => Promise.resolve(plain);
  const arn = env.optional(setting.arnVariable);
  if (arn === undefined) return undefined;
  let last: string | undefined;
  return async () => {
    try {
      last = await readSecret(arn, setting);
    } catch (err) {
      // A failed refresh keeps the value last read: a Secrets Manager hiccup must not turn
      // away every request once the cached value has aged out.
      if (last === undefined) throw err;
    }
    return last;
  };
}

/**
 * The environment with each setting's plain variable filled in from its secret, for settings
 * a function needs once, when it connects (store credentials): the typed readers then read them
 * as any other variable. A setting that neither variable sets is left to its reader's default.
 */
export async function withSecretSettings(environment: Env, settings: readonly SecretSetting[]): Promise<Env> {
  const resolved: Record<string, string | undefined> = { ...environment };
  // One after the other: fields of one JSON secret then cost one call, the rest hit the cache.
  for (const setting of settings) {
    const source = optionalSecretSource(environment, setting);
    if (source !== undefined) resolved[setting.variable] = await source();
  }
  return resolved;
}

type SecretsParameters = typeof import('@aws-lambda-powertools/parameters/secrets');
let parameters: Promise<SecretsParameters> | undefined;

async function readSecret(arn: string, setting: SecretSetting): Promise<string> {
  // Loaded on first use: local processes, which only ever have plain values, never pay for
  // loading the Secrets Manager client.
  parameters ??= import('@aws-lambda-powertools/parameters/secrets');
  const { getSecret } = await parameters;
  const field = setting.jsonField;
  let value: unknown;
  try {
    value =
      field === undefined
        ? await getSecret(arn, { maxAge: SECRET_MAX_AGE_S })
        : await getSecret(arn, { maxAge: SECRET_MAX_AGE_S, transform: 'json' });
  } catch (err) {
    throw new Error(`reading the secret ${setting.arnVariable} names failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const picked = field === undefined ? value : isRecord(value) ? value[field] : undefined;
  if (typeof picked !== 'string')
    throw new ConfigError(
      field === undefined
        ? `the secret ${setting.arnVariable} names must hold a string`
        : `the secret ${setting.arnVariable} names must be JSON with a string field "${field}"`,
    );
  return picked;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
