import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../seeded-random.ts';
import {
  type ByteLevelBpe,
  ROBERTA_PAD_ID,
  ROBERTA_TOKENIZER_CONFIG,
  robertaTokenizerJson,
  trainByteLevelBpe,
} from './byte-level-bpe.ts';
import { toFloat16Array } from './float16.ts';
import { ONNX_FLOAT, ONNX_INT64, OnnxGraphBuilder } from './onnx-graph.ts';

/**
 * A tiny RoBERTa-shaped sequence classifier with seeded random weights: the graph, inputs and
 * outputs of a Hugging Face RoBERTa sequence-classification export (input_ids and
 * attention_mask int64 [batch, sequence] -> logits [batch, labels]), at toy size.
 *
 *   word + position embeddings (positions from the mask, counted from padding_idx + 1, as
 *   RoBERTa does) -> LayerNorm -> N x [self-attention with the mask as an additive bias ->
 *   add & LayerNorm -> GELU feed-forward -> add & LayerNorm] -> <s> token -> dense + tanh
 *   -> out_proj -> logits
 *
 * LayerNorm is composed from ReduceMean/Sub/Mul/Sqrt/Div (opset 13). `fp16` writes every
 * weight as float16 with a Cast back to float after it, as an FP16 export of the weights has.
 */
export interface TinyRobertaOptions {
  readonly labels: readonly string[];
  readonly seed?: number;
  readonly hidden?: number;
  readonly heads?: number;
  readonly layers?: number;
  readonly intermediate?: number;
  readonly maxPositions?: number;
  readonly fp16?: boolean;
}

export interface TinyRobertaWeights {
  readonly vocabSize: number;
  readonly hidden: number;
  readonly heads: number;
  readonly layers: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly classes: number;
  readonly tensors: ReadonlyMap<string, { readonly dims: number[]; readonly data: Float32Array }>;
}

export function tinyRobertaWeights(vocabSize: number, options: TinyRobertaOptions): TinyRobertaWeights {
  const hidden = options.hidden ?? 32;
  const heads = options.heads ?? 4;
  const layers = options.layers ?? 2;
  const intermediate = options.intermediate ?? 64;
  const maxPositions = options.maxPositions ?? 130;
  const classes = options.labels.length;
  if (hidden % heads !== 0) throw new Error('tiny RoBERTa: hidden must be a multiple of heads');
  const random = seededRandom(options.seed ?? 1);
  const tensors = new Map<string, { dims: number[]; data: Float32Array }>();
  const normal = (std: number) => {
    const u = Math.max(random(), 1e-12);
    return std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const add = (name: string, dims: number[], init: 'normal' | 'zeros' | 'ones', std = 0.2) => {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    if (init === 'ones') data.fill(1);
    if (init === 'normal') for (let i = 0; i < data.length; i++) data[i] = normal(std);
    tensors.set(name, { dims, data });
  };
  add('embeddings.word', [vocabSize, hidden], 'normal', 0.5);
  add('embeddings.position', [maxPositions, hidden], 'normal', 0.5);
  add('embeddings.ln.gamma', [hidden], 'ones');
  add('embeddings.ln.beta', [hidden], 'zeros');
  for (let l = 0; l < layers; l++) {
    for (const p of ['q', 'k', 'v', 'o']) {
      add(`layer${l}.${p}.weight`, [hidden, hidden], 'normal');
      add(`layer${l}.${p}.bias`, [hidden], 'normal', 0.05);
    }
    add(`layer${l}.ln1.gamma`, [hidden], 'ones');
    add(`layer${l}.ln1.beta`, [hidden], 'zeros');
    add(`layer${l}.ffn1.weight`, [hidden, intermediate], 'normal');
    add(`layer${l}.ffn1.bias`, [intermediate], 'normal', 0.05);
    add(`layer${l}.ffn2.weight`, [intermediate, hidden], 'normal');
    add(`layer${l}.ffn2.bias`, [hidden], 'normal', 0.05);
    add(`layer${l}.ln2.gamma`, [hidden], 'ones');
    add(`layer${l}.ln2.beta`, [hidden], 'zeros');
  }
  add('classifier.dense.weight', [hidden, hidden], 'normal', 0.5);
  add('classifier.dense.bias', [hidden], 'normal', 0.05);
  add('classifier.out_proj.weight', [hidden, classes], 'normal', 1);
  add('classifier.out_proj.bias', [classes], 'normal', 0.1);
  return { vocabSize, hidden, heads, layers, intermediate, maxPositions, classes, tensors };
}

export function tinyRobertaOnnx(w: TinyRobertaWeights, fp16 = false): Uint8Array {
  const g = new OnnxGraphBuilder('tiny_roberta_sequence_classification');
  const H = w.hidden;
  const dh = H / w.heads;
  const weight = (name: string): string => {
    const t = w.tensors.get(name);
    if (t === undefined) throw new Error(`tiny RoBERTa: no tensor ${name}`);
    if (!fp16) return g.float(name, t.dims, t.data);
    g.float16(`${name}.fp16`, t.dims, toFloat16Array(t.data));
    return g.node('Cast', [`${name}.fp16`], { to: ONNX_FLOAT });
  };
  const scalar = (name: string, value: number) => g.float(name, [], Float32Array.of(value));
  const linear = (x: string, prefix: string) =>
    g.node('Add', [g.node('MatMul', [x, weight(`${prefix}.weight`)]), weight(`${prefix}.bias`)]);
  const eps = scalar('ln_eps', 1e-5);
  const layerNorm = (x: string, prefix: string) => {
    const mean = g.node('ReduceMean', [x], { axes: [-1], keepdims: 1 });
    const centred = g.node('Sub', [x, mean]);
    const variance = g.node('ReduceMean', [g.node('Mul', [centred, centred])], { axes: [-1], keepdims: 1 });
    const normed = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, eps])])]);
    return g.node('Add', [g.node('Mul', [normed, weight(`${prefix}.gamma`)]), weight(`${prefix}.beta`)]);
  };

  g.input('input_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  g.input('attention_mask', ONNX_INT64, ['batch_size', 'sequence_length']);
  g.int64('axis1', [], [1]);
  g.int64('pad_id', [], [ROBERTA_PAD_ID]);
  g.int64('axes12', [2], [1, 2]);
  g.int64('head_shape', [4], [0, 0, w.heads, dh]);
  g.int64('hidden_shape', [3], [0, 0, H]);
  g.int64('zero', [], [0]);

  // RoBERTa's position ids: cumulative count of real tokens, offset past padding_idx; padding gets padding_idx.
  const positions = g.node('Add', [
    g.node('Mul', [g.node('CumSum', ['attention_mask', 'axis1']), 'attention_mask']),
    'pad_id',
  ]);
  const embedded = g.node('Add', [
    g.node('Gather', [weight('embeddings.word'), 'input_ids']),
    g.node('Gather', [weight('embeddings.position'), positions]),
  ]);
  let x = layerNorm(embedded, 'embeddings.ln');

  // (1 - mask) * -10000 as [batch, 1, 1, sequence], added to every head's scores.
  const maskF = g.node('Cast', ['attention_mask'], { to: ONNX_FLOAT });
  const maskBias = g.node('Unsqueeze', [
    g.node('Mul', [g.node('Sub', [scalar('one', 1), maskF]), scalar('neg_big', -10000)]),
    'axes12',
  ]);
  const scale = scalar('attention_scale', 1 / Math.sqrt(dh));

  for (let l = 0; l < w.layers; l++) {
    const split = (t: string, perm: number[]) =>
      g.node('Transpose', [g.node('Reshape', [t, 'head_shape'])], { perm });
    const q = split(linear(x, `layer${l}.q`), [0, 2, 1, 3]);
    const kT = split(linear(x, `layer${l}.k`), [0, 2, 3, 1]);
    const v = split(linear(x, `layer${l}.v`), [0, 2, 1, 3]);
    const scores = g.node('Add', [g.node('Mul', [g.node('MatMul', [q, kT]), scale]), maskBias]);
    const probs = g.node('Softmax', [scores], { axis: -1 });
    const context = g.node('Reshape', [
      g.node('Transpose', [g.node('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }),
      'hidden_shape',
    ]);
    x = layerNorm(g.node('Add', [linear(context, `layer${l}.o`), x]), `layer${l}.ln1`);
    const inner = linear(x, `layer${l}.ffn1`);
    // GELU(x) = 0.5 x (1 + erf(x / sqrt 2))
    const gelu = g.node('Mul', [
      g.node('Mul', [inner, scalar(`layer${l}.half`, 0.5)]),
      g.node('Add', [
        g.node('Erf', [g.node('Mul', [inner, scalar(`layer${l}.rsqrt2`, Math.SQRT1_2)])]),
        scalar(`layer${l}.one`, 1),
      ]),
    ]);
    x = layerNorm(g.node('Add', [linear(gelu, `layer${l}.ffn2`), x]), `layer${l}.ln2`);
  }

  const first = g.node('Gather', [x, 'zero'], { axis: 1 });
  const pooled = g.node('Tanh', [linear(first, 'classifier.dense')]);
  const logits = linear(pooled, 'classifier.out_proj');
  g.node('Identity', [logits], {}, ['logits']);
  g.output('logits', ONNX_FLOAT, ['batch_size', w.classes]);
  return g.toBytes('spate-tiny-roberta');
}

/** A little tweet-like text to learn the tiny model's merges from. */
export const TINY_CORPUS: readonly string[] = [
  'I love this phone, the camera is amazing!',
  'The delivery was terrible and I hate the app.',
  'the store opens at 9am tomorrow #news',
  'What a great game tonight, @team played so well 🔥',
  'This is the worst service ever, never again',
  'Thanks for the update, see you at the meeting',
  'the new update broke everything lol',
  'happy birthday to my best friend ❤️',
];

export interface TinyRobertaModel {
  readonly bpe: ByteLevelBpe;
  readonly weights: TinyRobertaWeights;
}

/**
 * Writes a Hugging Face-style export directory: model.onnx, model_fp16.onnx, tokenizer.json,
 * tokenizer_config.json and config.json (id2label).
 */
export function writeTinyRoberta(
  dir: string,
  options: TinyRobertaOptions & { merges?: number },
): TinyRobertaModel {
  const bpe = trainByteLevelBpe(TINY_CORPUS, options.merges ?? 120);
  const weights = tinyRobertaWeights(bpe.vocab.size, options);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), tinyRobertaOnnx(weights));
  writeFileSync(join(dir, 'model_fp16.onnx'), tinyRobertaOnnx(weights, true));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(robertaTokenizerJson(bpe)));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(ROBERTA_TOKENIZER_CONFIG));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify(
      {
        architectures: ['RobertaForSequenceClassification'],
        model_type: 'roberta',
        hidden_size: weights.hidden,
        num_attention_heads: weights.heads,
        num_hidden_layers: weights.layers,
        intermediate_size: weights.intermediate,
        max_position_embeddings: weights.maxPositions,
        vocab_size: weights.vocabSize,
        pad_token_id: ROBERTA_PAD_ID,
        bos_token_id: 0,
        eos_token_id: 2,
        id2label: Object.fromEntries(options.labels.map((l, i) => [String(i), l])),
        label2id: Object.fromEntries(options.labels.map((l, i) => [l, i])),
      },
      null,
      2,
    ),
  );
  return { bpe, weights };
}
