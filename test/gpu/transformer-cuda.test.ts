import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCudaProvider } from '../../containers/nlp/onnx-backend.ts';
import {
  layTinyHeads,
  productionBackend,
  TINY_TWEETS,
  type TinyHeads,
} from '../integration/nlp/tiny-heads.ts';

/**
 * The CUDA path, run by bench/nlp/gpu.sh on a machine with a GPU and the CUDA build of
 * onnxruntime-node: the `gpu` project exists only when SPATE_NLP_TEST_CUDA=1 (vitest.config.ts),
 * so machines without a GPU neither run nor skip these.
 */
let heads: TinyHeads;
beforeAll(() => {
  heads = layTinyHeads();
});
afterAll(() => heads.remove());

describe('transformer path on CUDA', () => {
  it('the CUDA provider is shipped', () => {
    expect(hasCudaProvider()).toBe(true);
  });

  for (const precision of ['fp32', 'fp16'] as const) {
    it(`runs every head on CUDA (${precision}) and agrees with the CPU`, async () => {
      const gpu = await productionBackend(heads.modelDir, {
        SPATE_NLP_DEVICE: 'cuda',
        SPATE_NLP_PRECISION: precision,
      });
      const cpu = await productionBackend(heads.modelDir, {
        SPATE_NLP_DEVICE: 'cpu',
        SPATE_NLP_PRECISION: 'fp32',
      });
      try {
        expect(gpu.device).toBe('cuda');
        const texts = TINY_TWEETS.map((t) => t.text);
        const [a, b] = await Promise.all([gpu.infer(texts), cpu.infer(texts)]);
        for (const [i, x] of a.entries()) {
          expect(Math.abs(x.sentiment.score - b[i]!.sentiment.score)).toBeLessThan(0.03);
          expect(Math.abs(x.toxicity!.offensive - b[i]!.toxicity!.offensive)).toBeLessThan(0.03);
          expect(Math.abs(x.toxicity!.hate - b[i]!.toxicity!.hate)).toBeLessThan(0.03);
        }
      } finally {
        await gpu.close();
        await cpu.close();
      }
    });
  }
});
