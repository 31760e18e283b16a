/** What bench/push/fanout.ts measured, as it writes it to report.json. */
export interface FanOutReport {
  readonly at: string;
  readonly machine: { readonly cores: number; readonly cpu: string };
  readonly rounds: number;
  readonly seconds: number;
  readonly clients: number;
  readonly eventsPerSecond: number;
  readonly channels: string;
  readonly loadAverage: number;
  readonly medianOfRounds: Record<string, number>;
  readonly perRound: readonly Record<string, number>[];
  readonly unmatched: number;
  readonly gaps: number;
}

/** bench/push/REPORT.md from the run's own figures. */
export function fanOutMarkdown(r: FanOutReport): string {
  const m = r.medianOfRounds;
  const rounds = (key: string) => r.perRound.map((row) => row[key]).join(', ');
  return `# Fan-out benchmark: ${r.clients.toLocaleString('en-US')} dashboards over the local gateway

\`npx tsx bench/push/fanout.ts ${r.rounds} ${r.seconds} ${r.clients} ${r.eventsPerSecond}${r.channels === 'all' ? '' : ` ${r.channels}`}\` at ${r.at} on ${r.machine.cores} cores (${r.machine.cpu}).
Per round: a fresh redis-server; the local gateway in its own process with the real WebSocket
functions (token authorizer, \`$connect\`/\`$disconnect\`, \`subscribe\`, loaded as \`spate local\` loads
them); ${r.clients.toLocaleString('en-US')} \`ws\` clients in a third process, each with a dashboard token, subscribed to
${r.channels === 'all' ? 'every channel, as the dashboard is' : `the channels ${r.channels}`}; in the driver process, the real realtime function applies a
batch every 100 ms (${r.eventsPerSecond} events/s) and the real broadcast function is invoked once per new batch,
as its mapping (no batching window) invokes it, pushing through
\`@aws-sdk/client-apigatewaymanagementapi\` to the gateway's \`@connections\` API. ${r.seconds} s per round;
figures are medians over ${r.rounds} rounds. 1-minute load average at the end: ${r.loadAverage}.

**Latency is measured from aggregation**: from the moment the realtime function had applied the
batch to Redis (its handler returned) to the moment a client received the first frame showing it.
Each batch adds a known number of events, so each frame's total names the newest batch it includes
(${r.unmatched} frames unmatched, ${r.gaps} seq gaps over all rounds). Clocks: one machine,
\`performance.timeOrigin + performance.now()\` in every process.

| measure | median of rounds | rounds |
|---|---:|---|
| aggregation → client, p50 | ${m.p50Ms} ms | ${rounds('p50')} |
| aggregation → client, p99 | ${m.p99Ms} ms | ${rounds('p99')} |
| broadcaster read → client, p50 / p99 | ${m.broadcasterReadToClientP50Ms} / ${m.broadcasterReadToClientP99Ms} ms | |
| fan-out spread (first to last client, same frame), p50 / p99 | ${m.fanOutSpreadP50Ms} / ${m.fanOutSpreadP99Ms} ms | |
| overview frames per round (coalescing allows ≤ ${r.seconds * 2}) | ${m.framesPerRound} | ${rounds('frames')} |
`;
}
