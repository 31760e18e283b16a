import type { Env } from './env-reader.ts';
import { type SecretSetting, type SecretSource, secretSource } from './secret-setting.ts';

/**
 * The key that signs and verifies dashboard tokens: `SPATE_DASHBOARD_TOKEN_SECRET`, or on AWS
 * `SPATE_DASHBOARD_TOKEN_SECRET_ARN`, the secret holding it.
 */
export const DASHBOARD_TOKEN_KEY: SecretSetting = {
  variable: 'SPATE_DASHBOARD_TOKEN_SECRET',
  arnVariable: 'SPATE_DASHBOARD_TOKEN_SECRET_ARN',
};

/**
 * The key as it is now. Asked on every check: rotating the key is how an operator invalidates
 * every link handed out, so running functions must follow it without a redeploy.
 */
export function dashboardTokenKey(environment: Env): SecretSource {
  return secretSource(environment, DASHBOARD_TOKEN_KEY);
}
