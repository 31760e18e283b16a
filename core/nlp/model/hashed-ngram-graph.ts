import { DENSE_FEATURES, type HashedNgramWeights, headOutputs } from '../inference/hashed-ngrams.ts';
import { fromFloat16Bits, toFloat16Bits } from './float16.ts';
import { ProtoWriter } from './protobuf.ts';

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
const TENSOR_FLOAT = 1;
const TENSOR_INT64 = 7;
const TENSOR_FLOAT16 = 10;
const ATTR_INT = 2;
const IR_VERSION = 8;
const OPSET = 13;

export function hashedNgramOnnx(
  w: HashedNgramWeights,
  options: { readonly float16?: boolean } = {},
): Uint8Array {
  const denseSize = DENSE_FEATURES.length;
  const inputs = w.dim + denseSize;
  const model = new ProtoWriter();
  model.int(1, IR_VERSION);
  model.string(2, 'spate');
  model.string(3, '1');
  model.message(8, (o) => o.string(1, '').int(2, OPSET));
  model.message(7, (g) => {
    const node = (op: string, ins: string[], outs: string[], attrs: [string, number][] = []) =>
      g.message(1, (n) => {
        for (const i of ins) n.string(1, i);
        for (const o of outs) n.string(2, o);
        n.string(3, `${op}_${outs[0]}`);
        n.string(4, op);
        for (const [name, value] of attrs)
          n.message(5, (a) => a.string(1, name).int(3, value).int(20, ATTR_INT));
      });
    if (options.float16) {
      node('Gather', ['table', 'input_ids'], ['gathered_half']);
      node('Cast', ['gathered_half'], ['gathered'], [['to', TENSOR_FLOAT]]);
    } else {
      node('Gather', ['table', 'input_ids'], ['gathered']);
    }
    node('Unsqueeze', ['weights', 'axis2'], ['weights3']);
    node('Mul', ['gathered', 'weights3'], ['weighted']);
    node('ReduceSum', ['weighted', 'axis1'], ['pooled'], [['keepdims', 0]]);
    node('Concat', ['pooled', 'dense'], ['features'], [['axis', 1]]);
    for (const head of w.heads) {
      node('MatMul', ['features', `${head.name}_weight`], [`${head.name}_mm`]);
      node('Add', [`${head.name}_mm`, `${head.name}_bias`], [`${head.name}_logits`]);
      if (head.activation === 'softmax') node('Softmax', [`${head.name}_logits`], [head.name], [['axis', 1]]);
      else node('Sigmoid', [`${head.name}_logits`], [head.name]);
    }
    g.string(2, 'spate_hashed_ngrams');

    const floatTensor = (name: string, dims: number[], data: Float32Array) =>
      g.message(5, (t) => {
        t.packedInts(1, dims);
        t.int(2, TENSOR_FLOAT);
        t.string(8, name);
        t.bytes(9, littleEndianFloats(data));
      });
    if (options.float16) {
      g.message(5, (t) => {
        t.packedInts(1, [w.spec.buckets, w.dim]);
        t.int(2, TENSOR_FLOAT16);
        t.string(8, 'table');
        t.bytes(9, float16Bytes(w.table));
      });
    } else {
      floatTensor('table', [w.spec.buckets, w.dim], w.table);
    }
    for (const head of w.heads) {
      floatTensor(`${head.name}_weight`, [inputs, headOutputs(head)], head.weight);
      floatTensor(`${head.name}_bias`, [headOutputs(head)], head.bias);
    }
    const int64Tensor = (name: string, values: number[]) =>
      g.message(5, (t) => {
        t.packedInts(1, [values.length]);
        t.int(2, TENSOR_INT64);
        t.packedInts(7, values);
        t.string(8, name);
      });
    int64Tensor('axis1', [1]);
    int64Tensor('axis2', [2]);

    const valueInfo = (field: number, name: string, elemType: number, dims: (number | string)[]) =>
      g.message(field, (v) => {
        v.string(1, name);
        v.message(2, (type) =>
          type.message(1, (tensor) => {
            tensor.int(1, elemType);
            tensor.message(2, (shape) => {
              for (const d of dims)
                shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
            });
          }),
        );
      });
    valueInfo(11, 'input_ids', TENSOR_INT64, ['batch', 'features']);
    valueInfo(11, 'weights', TENSOR_FLOAT, ['batch', 'features']);
    valueInfo(11, 'dense', TENSOR_FLOAT, ['batch', denseSize]);
    for (const head of w.heads) valueInfo(12, head.name, TENSOR_FLOAT, ['batch', headOutputs(head)]);
  });
  return model.finish();
}

function littleEndianFloats(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

function float16Bytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setUint16(i * 2, toFloat16Bits(data[i]!), true);
  return out;
}

/** The values a half-precision table will hold, so the TypeScript forward pass matches the graph. */
export function roundToFloat16(data: Float32Array): Float32Array {
  return data.map((v) => fromFloat16Bits(toFloat16Bits(v)));
}
