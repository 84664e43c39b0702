#!/usr/bin/env bash
# Evaluation questions on a GPU machine: the figures bench/llm_questions.py gives on the CPU
# (STC-3 resolution AUC, the shared calls' accuracy per question, seconds and tokens per
# 5-minute call beside its ASR), through both backends, with the GPU's peak memory.
#
#   bench/gpu_llm.sh [MODEL]     MODEL: a catalog name (default qwen2.5-coder-1.5b) or the path
#                                of a GGUF file verified elsewhere (a 7B, say)
#
# Needs the project installed (make install) with llama.cpp libraries built with CUDA: the
# PyPI wheel of the runtime is the CPU build, and the embedded backend offloads layers only
# where the libraries can (QA_LLM_GPU_LAYERS=-1: all of them). The endpoint leg starts the
# project's OpenAI-compatible server (python -m qa_service.api.llm_server) on the same GPU;
# LLM_URL=http://host:port/v1 and LLM_URL_MODEL=name point it at a server already running
# instead (vLLM, llama.cpp's server, Ollama). Figures go to $OUT (default bench-gpu-DATE).
set -euo pipefail

MODEL="${1:-qwen2.5-coder-1.5b}"
PYTHON="${PYTHON:-.venv/bin/python}"
OUT="${OUT:-bench-gpu-$(date +%Y%m%d-%H%M)}"
STC3="${STC3:-80}"
PORT="${PORT:-8093}"

cd "$(dirname "$0")/.."
if ! "$PYTHON" - <<'EOF'
import sys
from qa_service.engines.llm.embedded import _llama_library
lib = _llama_library()
# llama_supports_gpu_offload() is true on the CPU build too (its RPC backend): ask for a GPU.
kinds = [lib.ggml_backend_dev_type(lib.ggml_backend_dev_get(i)) for i in range(lib.ggml_backend_dev_count())]
sys.exit(0 if any(k in (lib.GGML_BACKEND_DEVICE_TYPE_GPU, lib.GGML_BACKEND_DEVICE_TYPE_IGPU) for k in kinds) else 2)
EOF
then
    echo "gpu_llm.sh: the installed llama.cpp libraries cannot offload to a GPU" \
        "(the PyPI wheel is the CPU build); install a CUDA build of the runtime first" >&2
    exit 2
fi
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$OUT/gpu.csv"

# The GPU's memory in use, every half second, for the peak of each leg.
nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 500 > "$OUT/gpu_memory.log" &
WATCH=$!
SERVER=""
cleanup() {
    kill "$WATCH" 2>/dev/null || true
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT

export QA_LLM_GPU_LAYERS=-1
bench() {  # bench NAME ARGS...: one leg of the bench, its report and log in $OUT
    local name="$1"
    shift
    echo "== $name" >> "$OUT/gpu_memory.log"
    "$PYTHON" bench/llm_questions.py --stc3 "$STC3" --five-minutes 300 --threads 4 \
        --out "$OUT/$name.json" "$@" 2> "$OUT/$name.log"
}

bench embedded --model "$MODEL"

if [ -z "${LLM_URL:-}" ]; then
    QA_LLM_MODEL="$MODEL" "$PYTHON" -m qa_service.api.llm_server --port "$PORT" \
        2> "$OUT/server.log" &
    SERVER=$!
    LLM_URL="http://127.0.0.1:$PORT/v1"
    LLM_URL_MODEL="$MODEL"
    for _ in $(seq 1 300); do
        curl -sf "$LLM_URL/models" > /dev/null && break
        kill -0 "$SERVER" 2> /dev/null || { echo "the server exited: see $OUT/server.log" >&2; exit 1; }
        sleep 1
    done
fi
# A server given in LLM_URL (vLLM, llama.cpp --parallel) batches a call's questions sent
# together; the project's own server answers one at a time.
PARALLEL=1
[ -n "${SERVER:-}" ] || PARALLEL="${QA_LLM_PARALLEL_REQUESTS:-4}"
export QA_LLM_PARALLEL_REQUESTS="$PARALLEL"
bench endpoint --url "$LLM_URL" --endpoint-model "${LLM_URL_MODEL:-$MODEL}"

"$PYTHON" - "$OUT" <<'EOF'
import json, sys
from pathlib import Path

out = Path(sys.argv[1])
peaks, leg = {}, None
for line in (out / "gpu_memory.log").read_text().splitlines():
    if line.startswith("== "):
        leg = line[3:]
    elif leg and line.strip().isdigit():
        peaks[leg] = max(peaks.get(leg, 0), int(line))
for leg in ("embedded", "endpoint"):
    report = json.loads((out / f"{leg}.json").read_text())
    calls = report.get("calls", {}).get("questions", {})
    five = report.get("five_minute_call", {})
    print(f"{leg}: STC-3 resolution AUC {report.get('stc3_dev_zh', {}).get('auc_probability')}")
    for question, figures in calls.items():
        print(f"  {question}: accuracy {figures['accuracy']} (majority {figures['majority_baseline']})")
    for when in ("first_call", "next_call"):
        cost = five.get(when, {})
        print(f"  5-minute call, {when}: {cost.get('questions_wall_seconds')} s wall,"
              f" ASR {five.get('asr_wall_seconds')} s")
    print(f"  GPU memory peak {peaks.get(leg)} MiB")
EOF
