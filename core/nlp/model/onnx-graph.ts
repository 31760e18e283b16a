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
  const g = new OnnxGraphBuilder('sentiment_classifier');
  const node = (op: string, inputs: string[], output: string, attrs: Record<string, AttrValue> = {}) =>
    g.node(op, inputs, attrs, [output]);
  node('Gather', ['embedding', 'input_ids'], 'embedded');
  node('Cast', ['attention_mask'], 'mask', { to: TENSOR_FLOAT });
  node('Unsqueeze', ['mask', 'axis2'], 'mask3');
  node('Mul', ['embedded', 'mask3'], 'masked');
  node('ReduceSum', ['masked', 'axis1'], 'summed', { keepdims: 0 });
  node('ReduceSum', ['mask', 'axis1'], 'count', { keepdims: 1 });
  node('Max', ['count', 'one'], 'count1');
  node('Div', ['summed', 'count1'], 'pooled');
  node('MatMul', ['pooled', 'w1'], 'h1');
  node('Add', ['h1', 'b1'], 'h1b');
  node('Relu', ['h1b'], 'h1r');
  node('MatMul', ['h1r', 'w2'], 'h2');
  node('Add', ['h2', 'b2'], 'logits');
  g.float('embedding', [w.vocabSize, w.hidden], w.embedding);
  g.float('w1', [w.hidden, w.inner], w.w1);
  g.float('b1', [w.inner], w.b1);
  g.float('w2', [w.inner, w.classes], w.w2);
  g.float('b2', [w.classes], w.b2);
  g.float('one', [], Float32Array.of(1));
  g.int64('axis1', [1], [1]);
  g.int64('axis2', [1], [2]);
  g.input('input_ids', TENSOR_INT64, ['batch', 'sequence']);
  g.input('attention_mask', TENSOR_INT64, ['batch', 'sequence']);
  g.output('logits', TENSOR_FLOAT, ['batch', w.classes]);
  return g.toBytes(producer);
}

// ---------------------------------------------------------------------------------------
// The one ONNX writer: the classifier above, the shipped hashed n-gram model and the tiny
// transformer are all built with it.

const TENSOR_FLOAT16 = 10;
const ATTR_FLOAT = 1;
const ATTR_INTS = 7;

export const ONNX_FLOAT = TENSOR_FLOAT;
export const ONNX_INT64 = TENSOR_INT64;
export const ONNX_FLOAT16 = TENSOR_FLOAT16;

/** An attribute value: an integer, a float ({ f }) or a list of integers. */
export type AttrValue = number | { readonly f: number } | readonly number[];

type Initializer =
  | { readonly kind: 'float'; readonly name: string; readonly dims: number[]; readonly data: Float32Array }
  | { readonly kind: 'float16'; readonly name: string; readonly dims: number[]; readonly data: Uint16Array }
  | { readonly kind: 'int64'; readonly name: string; readonly dims: number[]; readonly data: number[] };

interface NodeSpec {
  readonly op: string;
  readonly inputs: string[];
  readonly outputs: string[];
  readonly attrs: Record<string, AttrValue>;
}

interface ValueSpec {
  readonly name: string;
  readonly elemType: number;
  readonly dims: (number | string)[];
}

export class OnnxGraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private counter = 0;

  constructor(
    readonly name: string,
    readonly opset = OPSET,
  ) {}

  /** Adds a node; returns its first output (a fresh name unless given). */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs?: string[]): string {
    const outs = outputs ?? [`${op.toLowerCase()}_${this.counter++}`];
    this.nodes.push({ op, inputs, outputs: outs, attrs });
    return outs[0]!;
  }

  float(name: string, dims: number[], data: Float32Array): string {
    this.initializers.push({ kind: 'float', name, dims, data });
    return name;
  }

  float16(name: string, dims: number[], data: Uint16Array): string {
    this.initializers.push({ kind: 'float16', name, dims, data });
    return name;
  }

  int64(name: string, dims: number[], data: number[]): string {
    this.initializers.push({ kind: 'int64', name, dims, data });
    return name;
  }

  input(name: string, elemType: number, dims: (number | string)[]): string {
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  output(name: string, elemType: number, dims: (number | string)[]): string {
    this.outputs.push({ name, elemType, dims });
    return name;
  }

  toBytes(producer = 'spate'): Uint8Array {
    const model = new ProtoWriter();
    model.int(1, IR_VERSION);
    model.string(2, producer);
    model.string(3, '1');
    model.message(8, (o) => o.string(1, '').int(2, this.opset));
    model.message(7, (g) => {
      for (const n of this.nodes) {
        g.message(1, (w) => {
          for (const x of n.inputs) w.string(1, x);
          for (const x of n.outputs) w.string(2, x);
          // Named after the node's first output, which a valid graph never reuses.
          w.string(3, `${n.op}_${n.outputs[0]}`);
          w.string(4, n.op);
          for (const [name, value] of Object.entries(n.attrs)) {
            w.message(5, (a) => {
              a.string(1, name);
              if (typeof value === 'number') a.int(3, value).int(20, ATTR_INT);
              else if (Array.isArray(value)) a.packedInts(8, value as number[]).int(20, ATTR_INTS);
              else a.float(2, (value as { f: number }).f).int(20, ATTR_FLOAT);
            });
          }
        });
      }
      g.string(2, this.name);
      for (const t of this.initializers) {
        g.message(5, (w) => {
          w.packedInts(1, t.dims);
          if (t.kind === 'int64') {
            w.int(2, TENSOR_INT64);
            w.packedInts(7, t.data);
            w.string(8, t.name);
          } else {
            w.int(2, t.kind === 'float' ? TENSOR_FLOAT : TENSOR_FLOAT16);
            w.string(8, t.name);
            w.bytes(9, littleEndian(t.data));
          }
        });
      }
      const valueInfo = (field: number, v: ValueSpec) =>
        g.message(field, (w) => {
          w.string(1, v.name);
          w.message(2, (type) =>
            type.message(1, (tensor) => {
              tensor.int(1, v.elemType);
              tensor.message(2, (shape) => {
                for (const d of v.dims)
                  shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
              });
            }),
          );
        });
      for (const v of this.inputs) valueInfo(11, v);
      for (const v of this.outputs) valueInfo(12, v);
    });
    return model.finish();
  }
}

/** raw_data is little-endian whatever the machine. */
function littleEndian(data: Float32Array | Uint16Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array)
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setUint16(i * 2, data[i]!, true);
  return out;
}
