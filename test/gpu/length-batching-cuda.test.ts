import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUDA_PAD_MULTIPLE } from '../../containers/nlp/length-batching.ts';
import { TransformerHeadsBackend } from '../../containers/nlp/transformer-heads-backend.ts';
import type { ModelScores } from '../../core/nlp/inference/backend.ts';
import {
  layTinyHeads,
  productionBackend,
  TINY_TWEETS,
  type TinyHeads,
} from '../integration/nlp/tiny-heads.ts';

/**
 * Batching by length on the CUDA path (the `gpu` project, run by bench/nlp/gpu.sh where
 * SPATE_NLP_TEST_CUDA=1): runs padded to multiples of 8, the same answers as each tweet alone,
 * and less padding fed to the GPU than one tensor padded to the longest tweet.
 */
let heads: TinyHeads;
beforeAll(() => {
  heads = layTinyHeads();
});
afterAll(() => heads.remove());

const LONG =
  'Thread: the launch event was delayed twice, the stream kept buffering, support never answered ' +
  'and the preorder page still shows the wrong price, but the camera samples look amazing #launch';
const MIXED = Array.from({ length: 61 }, (_, i) =>
  i % 6 === 5 ? `${LONG} ${i}` : `${TINY_TWEETS[i % TINY_TWEETS.length]!.text} ${i}`,
);

async function cudaBackend(env: Record<string, string> = {}): Promise<TransformerHeadsBackend> {
  const backend = await productionBackend(heads.modelDir, {
    SPATE_NLP_DEVICE: 'cuda',
    SPATE_NLP_PRECISION: 'fp32',
    ...env,
  });
  expect(backend).toBeInstanceOf(TransformerHeadsBackend);
  expect(backend.device).toBe('cuda');
  return backend as TransformerHeadsBackend;
}

describe('batching by length on CUDA', () => {
  it('pads each run to a multiple of 8, answers as each tweet alone, and feeds less padding', async () => {
    const batching = await cudaBackend();
    const padded = await cudaBackend({ SPATE_NLP_LENGTH_BATCHING: 'false' });
    try {
      const alone: ModelScores[] = [];
      for (const text of MIXED) alone.push(...(await padded.infer([text])));
      const before = padded.tokenCounts;
      const out = await batching.infer(MIXED);
      await padded.infer(MIXED);
      for (const [i, s] of out.entries()) {
        expect(s.sentiment.score).toBeCloseTo(alone[i]!.sentiment.score, 3);
        expect(s.toxicity!.offensive).toBeCloseTo(alone[i]!.toxicity!.offensive, 3);
        expect(s.toxicity!.hate).toBeCloseTo(alone[i]!.toxicity!.hate, 3);
      }
      const on = batching.tokenCounts;
      // Every run is rows x a width in multiples of 8, so their sum is one too.
      expect(on.paddedTokens % CUDA_PAD_MULTIPLE).toBe(0);
      expect(on.runs).toBeGreaterThan(3);
      expect(on.paddedTokens).toBeLessThan(padded.tokenCounts.paddedTokens - before.paddedTokens);
    } finally {
      await batching.close();
      await padded.close();
    }
  });
});
