/**
 * Transformer throughput on the GPU: tweets/s per batch size, FP32 and FP16 weights, through
 * the worker's backend selection (openBackend, device cuda). Run by bench/nlp/gpu.sh.
 *
 *   npx tsx bench/nlp/gpu-throughput.ts [--model <dir>] [--batches 1,8,32,64,128,256]
 *       [--tweets 4096] [--precisions fp32,fp16] [--device cuda]
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
import { hasCudaProvider, type Precision } from '../../containers/nlp/onnx-backend.ts';
import { writeTinyRoberta } from '../../core/nlp/model/tiny-roberta.ts';
import { TweetStream } from '../../load/tweet-stream.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    batches: { type: 'string', default: '1,8,32,64,128,256' },
    tweets: { type: 'string', default: '4096' },
    precisions: { type: 'string', default: 'fp32,fp16' },
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
  process.stdout.write('precision  batch  tweets/s   ms/batch\n');
  for (const precision of precisions) {
    const backend = await openBackend({ kind: 'onnx', modelDir, device, precision });
    try {
      if (backend.device !== device) {
        process.stderr.write(`no CUDA provider: the session opened on ${backend.device}\n`);
        process.exit(2);
      }
      for (const batch of batches) {
        await backend.infer(texts.slice(0, batch)); // warm-up: kernels, allocator
        const started = process.hrtime.bigint();
        let runs = 0;
        for (let at = 0; at < texts.length; at += batch) {
          await backend.infer(texts.slice(at, at + batch));
          runs++;
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        process.stdout.write(
          `${precision.padEnd(9)}  ${String(batch).padStart(5)}  ${String(Math.round(texts.length / seconds)).padStart(8)}  ${((seconds * 1000) / runs).toFixed(2).padStart(9)}\n`,
        );
      }
    } finally {
      await backend.close();
    }
  }
} finally {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
}
