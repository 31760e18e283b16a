/**
 * Transformer throughput on the GPU: tweets/s per batch size, FP32 and FP16 weights, with
 * batching by length on and off, through the worker's backend selection (openBackend, device
 * cuda). Run by bench/nlp/gpu.sh.
 *
 *   npx tsx bench/nlp/gpu-throughput.ts [--model <dir>] [--batches 1,8,32,64,128,256]
 *       [--tweets 4096] [--precisions fp32,fp16] [--length-batching on,off] [--device cuda]
 *
 * length batching on: each micro-batch runs in runs of similar length (the worker's default,
 * DEFAULT_LENGTH_BATCHING); off: one tensor padded to the micro-batch's longest tweet. The
 * padding column is the share of padded tokens the model was fed.
 *
 * --model: a model directory as the worker reads it (sentiment/ [offensive/ hate/] per-head
 * exports, or one export); without it the tiny RoBERTa-shaped model is built into a temp dir
 * (its figures measure the pipeline around the model, not a production model's speed).
 * Exits 2 with "no CUDA provider" when the session does not run on CUDA; it never reports a
 * CPU figure as a GPU one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openBackend } from '../../containers/nlp/backends.ts';
import { DEFAULT_LENGTH_BATCHING } from '../../containers/nlp/length-batching.ts';
import { hasCudaProvider, type Precision } from '../../containers/nlp/onnx-backend.ts';
import type { TokenCounts } from '../../core/nlp/inference/length-batches.ts';
import { writeTinyRoberta } from '../../core/nlp/model/tiny-roberta.ts';
import { TweetStream } from '../../load/tweet-stream.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    batches: { type: 'string', default: '1,8,32,64,128,256' },
    tweets: { type: 'string', default: '4096' },
    precisions: { type: 'string', default: 'fp32,fp16' },
    'length-batching': { type: 'string', default: 'on,off' },
    device: { type: 'string', default: 'cuda' },
  },
});

const device = values.device as 'cuda' | 'cpu';
if (device === 'cuda' && !hasCudaProvider()) {
  process.stderr.write(
    'no CUDA provider: this onnxruntime-node build has no libonnxruntime_providers_cuda (install the CUDA build on a GPU machine)\n',
  );
  process.exit(2);
}

const batches = values.batches.split(',').map(Number);
const total = Number(values.tweets);
const precisions = values.precisions.split(',') as Precision[];
const lengthBatching = values['length-batching'].split(',').map((v) => {
  if (v !== 'on' && v !== 'off') throw new Error(`--length-batching: must be on, off or on,off, got "${v}"`);
  return v;
});
const stream = new TweetStream(42);
const texts = Array.from({ length: total }, (_, i) => stream.next(1_700_000_000_000 + i).text);

let tmp: string | undefined;
let modelDir = values.model;
if (modelDir === undefined) {
  tmp = mkdtempSync(join(tmpdir(), 'spate-gpu-bench-'));
  modelDir = join(tmp, 'model');
  writeTinyRoberta(join(modelDir, 'sentiment'), { labels: ['negative', 'neutral', 'positive'], seed: 11 });
  writeTinyRoberta(join(modelDir, 'offensive'), { labels: ['non-offensive', 'offensive'], seed: 12 });
  writeTinyRoberta(join(modelDir, 'hate'), { labels: ['NOT-HATE', 'HATE'], seed: 13 });
}

try {
  process.stdout.write(
    `model ${values.model ?? 'tiny RoBERTa (built)'}; ${total} tweets per run (TweetStream seed 42)\n`,
  );
  process.stdout.write('precision  length-batching  batch  tweets/s   ms/batch  padding\n');
  for (const precision of precisions) {
    for (const onOff of lengthBatching) {
      const backend = await openBackend({
        kind: 'onnx',
        modelDir,
        device,
        precision,
        lengthBatching: { ...DEFAULT_LENGTH_BATCHING, enabled: onOff === 'on' },
      });
      try {
        if (backend.device !== device) {
          process.stderr.write(`no CUDA provider: the session opened on ${backend.device}\n`);
          process.exit(2);
        }
        // The transformer backends count what their models were fed; other backends pad nothing.
        const counts = () => (backend as { tokenCounts?: TokenCounts }).tokenCounts;
        for (const batch of batches) {
          await backend.infer(texts.slice(0, batch)); // warm-up: kernels, allocator
          const before = counts();
          const started = process.hrtime.bigint();
          let runs = 0;
          for (let at = 0; at < texts.length; at += batch) {
            await backend.infer(texts.slice(at, at + batch));
            runs++;
          }
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const after = counts();
          const padded = (after?.paddedTokens ?? 0) - (before?.paddedTokens ?? 0);
          const real = (after?.realTokens ?? 0) - (before?.realTokens ?? 0);
          const padding = padded === 0 ? '-' : `${(100 * (1 - real / padded)).toFixed(1)}%`;
          process.stdout.write(
            `${precision.padEnd(9)}  ${onOff.padEnd(15)}  ${String(batch).padStart(5)}  ${String(Math.round(texts.length / seconds)).padStart(8)}  ${((seconds * 1000) / runs).toFixed(2).padStart(9)}  ${padding.padStart(7)}\n`,
          );
        }
      } finally {
        await backend.close();
      }
    }
  }
} finally {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
}
