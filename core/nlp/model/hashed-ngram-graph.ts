import { DENSE_FEATURES, type HashedNgramWeights, headOutputs } from '../inference/hashed-ngrams.ts';
import { fromFloat16Bits, toFloat16Array, toFloat16Bits } from './float16.ts';
import { type AttrValue, ONNX_FLOAT, ONNX_INT64, OnnxGraphBuilder } from './onnx-graph.ts';

/**
 * The ONNX graph (opset 13) of the hashed n-gram model, written as protobuf bytes:
 *
 *   input_ids [B,T] -> Gather(table [V,D]) -> x weights [B,T] -> sum over T -> pooled [B,D]
 *   -> Concat(pooled, dense [B,F]) -> per head: MatMul [D+F,C] + bias -> Softmax | Sigmoid
 *
 * One output per head, named after it: sentiment [B,3] (probabilities), offensive [B,1] and
 * hate [B,1] (P(offensive), P(hate)). With `float16` the table is stored in half precision
 * (half the file) and cast to float after the lookup.
 */
export function hashedNgramOnnx(
  w: HashedNgramWeights,
  options: { readonly float16?: boolean } = {},
): Uint8Array {
  const denseSize = DENSE_FEATURES.length;
  const inputs = w.dim + denseSize;
  const g = new OnnxGraphBuilder('spate_hashed_ngrams');
  const node = (op: string, ins: string[], output: string, attrs: Record<string, AttrValue> = {}) =>
    g.node(op, ins, attrs, [output]);
  if (options.float16) {
    node('Gather', ['table', 'input_ids'], 'gathered_half');
    node('Cast', ['gathered_half'], 'gathered', { to: ONNX_FLOAT });
  } else {
    node('Gather', ['table', 'input_ids'], 'gathered');
  }
  node('Unsqueeze', ['weights', 'axis2'], 'weights3');
  node('Mul', ['gathered', 'weights3'], 'weighted');
  node('ReduceSum', ['weighted', 'axis1'], 'pooled', { keepdims: 0 });
  node('Concat', ['pooled', 'dense'], 'features', { axis: 1 });
  for (const head of w.heads) {
    node('MatMul', ['features', `${head.name}_weight`], `${head.name}_mm`);
    node('Add', [`${head.name}_mm`, `${head.name}_bias`], `${head.name}_logits`);
    if (head.activation === 'softmax') node('Softmax', [`${head.name}_logits`], head.name, { axis: 1 });
    else node('Sigmoid', [`${head.name}_logits`], head.name);
  }
  if (options.float16) g.float16('table', [w.spec.buckets, w.dim], toFloat16Array(w.table));
  else g.float('table', [w.spec.buckets, w.dim], w.table);
  for (const head of w.heads) {
    g.float(`${head.name}_weight`, [inputs, headOutputs(head)], head.weight);
    g.float(`${head.name}_bias`, [headOutputs(head)], head.bias);
  }
  g.int64('axis1', [1], [1]);
  g.int64('axis2', [1], [2]);
  g.input('input_ids', ONNX_INT64, ['batch', 'features']);
  g.input('weights', ONNX_FLOAT, ['batch', 'features']);
  g.input('dense', ONNX_FLOAT, ['batch', denseSize]);
  for (const head of w.heads) g.output(head.name, ONNX_FLOAT, ['batch', headOutputs(head)]);
  return g.toBytes();
}

/** The values a half-precision table will hold, so the TypeScript forward pass matches the graph. */
export function roundToFloat16(data: Float32Array): Float32Array {
  return data.map((v) => fromFloat16Bits(toFloat16Bits(v)));
}
