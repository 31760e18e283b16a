import { MisconfiguredError } from '../../core/errors/spate-error.ts';

/**
 * Typed reads of environment variables for a process's config object. Each process reads its
 * environment once, at start, through one of these; an error names the variable and the rule.
 */
export class ConfigError extends MisconfiguredError {
  override readonly name = 'ConfigError';
}

export type Env = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  /** The raw value, or undefined when unset or empty. */
  optional(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback?: string): string {
    const value = this.optional(name) ?? fallback;
    if (value === undefined) throw new ConfigError(`${name} is required`);
    return value;
  }

  int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  }

  list(name: string, fallback: readonly string[]): string[] {
    const raw = this.optional(name);
    if (raw === undefined) return [...fallback];
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    if (items.length === 0) throw new ConfigError(`${name} must be a comma-separated list, got "${raw}"`);
    return items;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  }
}
