import { isOriginPattern, OriginPolicy } from '../../core/limits/origin-policy.ts';
import { ConfigError, type Env, EnvReader } from './env-reader.ts';

export const CORS_ORIGINS_VARIABLE = 'SPATE_CORS_ORIGINS';

/**
 * `SPATE_CORS_ORIGINS`: JSON `{"<project>": ["https://shop.example", ...]}`, a list per project
 * of the web origins whose pages may post its events, or `"*"` for any origin. Unset: no
 * browser page may post (servers and mobile apps send no Origin and are not affected).
 */
export function readCorsOrigins(environment: Env): OriginPolicy {
  const raw = new EnvReader(environment).optional(CORS_ORIGINS_VARIABLE);
  if (raw === undefined) return new OriginPolicy();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      `${CORS_ORIGINS_VARIABLE} must be JSON {"<project>": ["https://shop.example"]} (or "*" for any origin)`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${CORS_ORIGINS_VARIABLE} must be a JSON object of project -> list of origins`);
  }
  const origins: Record<string, string[]> = {};
  for (const [project, entry] of Object.entries(value)) {
    const list = Array.isArray(entry) ? entry : [entry];
    for (const origin of list) {
      if (typeof origin !== 'string' || !isOriginPattern(origin)) {
        throw new ConfigError(
          `${CORS_ORIGINS_VARIABLE}.${project}: ${JSON.stringify(origin)} must be "*" or an origin such as "https://shop.example" (scheme and host, no path)`,
        );
      }
    }
    origins[project] = list as string[];
  }
  return new OriginPolicy(origins);
}
