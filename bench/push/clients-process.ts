/**
 * N dashboard clients over real WebSockets: each connects with a token, subscribes to what
 * the dashboard subscribes to (every channel, unless a list is given), applies the overview's
 * frames in order (a gap counts as one), and notes when each arrived and how many events it
 * showed. argv: wsUrl token clients out.json [channel,…]. Prints {"event":"ready"} once all
 * are subscribed; on SIGTERM writes every sample to out.json and exits.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ALL_CHANNELS } from '../../core/push/channels.ts';
import { framesOfMessage } from '../../core/push/frame-bundles.ts';
import { ChannelState } from '../../core/push/frame-sequence.ts';

const [wsUrl, token, countArg, outPath, channelArg] = process.argv.slice(2);
// What the dashboard subscribes to by default; the overview is the one timed.
const channels = channelArg ? channelArg.split(',') : [...ALL_CHANNELS];
const clients = Number(countArg ?? 1000);
if (!wsUrl || !token || !outPath || !Number.isInteger(clients) || clients < 1)
  throw new Error('usage: clients-process.ts <wsUrl> <token> <clients> <out.json> [channel,…]');

/** Epoch ms with sub-millisecond precision, comparable across processes of this machine. */
const nowMs = () => performance.timeOrigin + performance.now();

// [events shown, received at, frame.at] per pushed frame, flat to keep 100k samples cheap.
const samples: number[] = [];
let gaps = 0;
let failures = 0;
const sockets: WebSocket[] = [];

function connect(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token as string)}`);
    const state = new ChannelState();
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ action: 'subscribe', channels })));
    socket.on('message', (data: Buffer) => {
      const receivedAt = nowMs();
      const text = data.toString('utf8');
      if (text.startsWith('{"type":"subscribed"')) {
        resolve();
        return;
      }
      if (text.startsWith('{"type":"error"')) {
        failures++;
        return;
      }
      for (const frame of framesOfMessage(text)) {
        if (frame.channel !== 'overview') continue;
        const outcome = state.accept(frame);
        if (outcome.kind === 'gap') {
          gaps++;
          state.reset();
        } else if (outcome.kind === 'applied')
          samples.push(Number(outcome.data.events), receivedAt, frame.at);
      }
    });
  });
}

// A few at a time: a thousand upgrades at once would measure the accept queue, not the push.
for (let i = 0; i < clients; i += 50)
  await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => connect()));
process.stdout.write(`${JSON.stringify({ event: 'ready', port: 0, clients: sockets.length })}\n`);

process.once('SIGTERM', () => {
  for (const s of sockets) s.terminate();
  writeFileSync(outPath, JSON.stringify({ samples, gaps, failures }));
  process.exit(0);
});
