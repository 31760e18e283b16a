import { ProtoWriter } from './protobuf.ts';

/**
 * The ONNX graph of the shipped sentiment classifier, written as protobuf bytes:
 *
 *   input_ids [B,T] -> Gather(embedding [V,H]) -> masked mean over T (attention_mask)
 *   -> MatMul W1 [H,K] + b1 -> Relu -> MatMul W2 [K,C] + b2 -> logits [B,C]
 *
 * It has the inputs and output of a Hugging Face sequence-classification export, so the
 * worker runs it exactly as it would run a transformer.
 */
export interface ClassifierWeights {
  readonly vocabSize: number;
  readonly hidden: number;
  readonly inner: number;
  readonly classes: number;
  /** Row-major [vocabSize, hidden]. */
  readonly embedding: Float32Array;
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
}

// onnx.proto field numbers and enum values used below.
const TENSOR_FLOAT = 1;
const TENSOR_INT64 = 7;
const ATTR_INT = 2;
const IR_VERSION = 8;
const OPSET = 13;

export function classifierOnnx(w: ClassifierWeights, producer = 'spate'): Uint8Array {
  const model = new ProtoWriter();
  model.int(1, IR_VERSION); // ir_version
  model.string(2, producer); // producer_name
  model.string(3, '1'); // producer_version
  model.message(8, (o) => o.string(1, '').int(2, OPSET)); // opset_import
  model.message(7, (g) => {
    const node = (op: string, inputs: string[], outputs: string[], attrs: [string, number][] = []) =>
      g.message(1, (n) => {
        for (const i of inputs) n.string(1, i);
        for (const o of outputs) n.string(2, o);
        n.string(3, `${op}_${outputs[0]}`);
        n.string(4, op);
        for (const [name, value] of attrs)
          n.message(5, (a) => a.string(1, name).int(3, value).int(20, ATTR_INT));
      });
    node('Gather', ['embedding', 'input_ids'], ['embedded']);
    node('Cast', ['attention_mask'], ['mask'], [['to', TENSOR_FLOAT]]);
    node('Unsqueeze', ['mask', 'axis2'], ['mask3']);
    node('Mul', ['embedded', 'mask3'], ['masked']);
    node('ReduceSum', ['masked', 'axis1'], ['summed'], [['keepdims', 0]]);
    node('ReduceSum', ['mask', 'axis1'], ['count'], [['keepdims', 1]]);
    node('Max', ['count', 'one'], ['count1']);
    node('Div', ['summed', 'count1'], ['pooled']);
    node('MatMul', ['pooled', 'w1'], ['h1']);
    node('Add', ['h1', 'b1'], ['h1b']);
    node('Relu', ['h1b'], ['h1r']);
    node('MatMul', ['h1r', 'w2'], ['h2']);
    node('Add', ['h2', 'b2'], ['logits']);
    g.string(2, 'sentiment_classifier');

    const floatTensor = (name: string, dims: number[], data: Float32Array) =>
      g.message(5, (t) => {
        t.packedInts(1, dims);
        t.int(2, TENSOR_FLOAT);
        t.string(8, name);
        t.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); // raw_data, little-endian
      });
    const int64Tensor = (name: string, values: number[]) =>
      g.message(5, (t) => {
        t.packedInts(1, [values.length]);
        t.int(2, TENSOR_INT64);
        t.packedInts(7, values);
        t.string(8, name);
      });
    floatTensor('embedding', [w.vocabSize, w.hidden], w.embedding);
    floatTensor('w1', [w.hidden, w.inner], w.w1);
    floatTensor('b1', [w.inner], w.b1);
    floatTensor('w2', [w.inner, w.classes], w.w2);
    floatTensor('b2', [w.classes], w.b2);
    floatTensor('one', [], Float32Array.of(1));
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
    valueInfo(11, 'input_ids', TENSOR_INT64, ['batch', 'sequence']);
    valueInfo(11, 'attention_mask', TENSOR_INT64, ['batch', 'sequence']);
    valueInfo(12, 'logits', TENSOR_FLOAT, ['batch', w.classes]);
  });
  return model.finish();
}
