#!/usr/bin/env bash
# The CUDA path of the tweet NLP worker, on a machine with a GPU and the CUDA build of
# onnxruntime-node: runs the transformer path's tests on CUDA (FP32 and FP16 against the CPU),
# then prints tweets/s per batch size for FP32 and FP16 weights, with batching by length on and off.
#
#   bench/nlp/gpu.sh [model-dir]
#
# model-dir: as the worker reads it (sentiment/, offensive/, hate/ per-head exports; see
# docs/models.md); without it the tiny RoBERTa-shaped model built by the tests is used, which
# measures the path around the model, not a production model. Extra settings:
#   BATCHES=1,8,32,64,128,256  TWEETS=4096  PRECISIONS=fp32,fp16  LENGTH_BATCHING=on,off
# Exits 2 with "no CUDA provider" when onnxruntime-node has no CUDA provider or no GPU answers.
set -euo pipefail
cd "$(dirname "$0")/../.."

model_dir="${1:-}"

provider_check=$(npx tsx -e "
import { hasCudaProvider } from './containers/nlp/onnx-backend.ts';
process.stdout.write(hasCudaProvider() ? 'yes' : 'no');
")
if [[ "$provider_check" != "yes" ]]; then
  echo "no CUDA provider: onnxruntime-node here is the CPU build (no libonnxruntime_providers_cuda under node_modules/onnxruntime-node/bin)." >&2
  echo "Install the CUDA build on a GPU machine (see docs/models.md, 'GPU'), then rerun." >&2
  exit 2
fi
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "no CUDA provider: the CUDA provider is installed but no GPU answers (nvidia-smi -L failed)." >&2
  exit 2
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

echo "== CUDA path tests (test/gpu, the gpu project that SPATE_NLP_TEST_CUDA=1 adds)"
SPATE_NLP_TEST_CUDA=1 npx vitest run --project gpu

echo "== tweets/s per batch size, batching by length on and off"
args=(--device cuda --batches "${BATCHES:-1,8,32,64,128,256}" --tweets "${TWEETS:-4096}" --precisions "${PRECISIONS:-fp32,fp16}" --length-batching "${LENGTH_BATCHING:-on,off}")
if [[ -n "$model_dir" ]]; then args+=(--model "$model_dir"); fi
npx tsx bench/nlp/gpu-throughput.ts "${args[@]}"
