import { ShopTraffic } from '../../load/traffic.ts';

/**
 * The last `seconds` of shop traffic at `rate` events a second, stamped in the past and sent now,
 * so a freshly started stack's hot tier holds what it would after running that long: the
 * dashboard's windows (5 minutes live, 30 for the funnel) full, not a few seconds deep.
 */
export async function backfillShopTraffic(
  endpoint: string,
  writeKey: string,
  { seconds, rate, seed = 7 }: { seconds: number; rate: number; seed?: number },
): Promise<number> {
  const traffic = new ShopTraffic({ seed, users: 5000 });
  const nowMs = Date.now();
  const total = seconds * rate;
  let accepted = 0;
  for (let first = 0; first < total; first += 100) {
    const sentAt = new Date().toISOString();
    const batch = Array.from({ length: Math.min(100, total - first) }, (_, i) => ({
      ...traffic.next(nowMs - seconds * 1000 + ((first + i) * 1000) / rate),
      sent_at: sentAt,
    }));
    const response = await fetch(`${endpoint}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writeKey}` },
      body: JSON.stringify(batch),
    });
    const body = (await response.json()) as { accepted?: number };
    if (response.status >= 300) throw new Error(`backfill: ${response.status} ${JSON.stringify(body)}`);
    accepted += body.accepted ?? 0;
  }
  return accepted;
}
