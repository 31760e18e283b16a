import type { GatewayResponse } from './http-response.ts';
import { jsonResponse } from './http-response.ts';
import type { HealthReport } from './types.ts';

/** `GET /health`: the gateway itself plus every component the stack reports; 503 if any is down. */
export async function healthResponse(
  check: (() => Promise<HealthReport> | HealthReport) | undefined,
): Promise<GatewayResponse> {
  let components: HealthReport;
  try {
    components = { gateway: { healthy: true }, ...(check ? await check() : {}) };
  } catch (err) {
    components = {
      gateway: { healthy: true },
      stack: { healthy: false, detail: `health check failed: ${String(err)}` },
    };
  }
  const healthy = Object.values(components).every((c) => c.healthy);
  return jsonResponse(
    healthy ? 200 : 503,
    { status: healthy ? 'ok' : 'degraded', components },
    { 'cache-control': 'no-store' },
  );
}
