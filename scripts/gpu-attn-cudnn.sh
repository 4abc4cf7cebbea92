#!/usr/bin/env bash
# cuDNN attention on a GPU machine, from the folder scripts/gpu-pack.sh filled (copy this script
# in): its tests and cream's bf16 attention tests, CudaBench attention with cuDNN against cream's
# kernels, then the TinyLlama bf16 training step with cuDNN and with CREAM_CUDNN=0, and PyTorch
# amp, all in one call on the same card. TESTS=0 skips the tests; BENCH_7B=1 adds the 7B step;
# a cream-base.jar beside this script adds an alternating A/B of the TinyLlama step against it.
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
[[ -n "${CREAM_CUDNN_LIB_DIR:-}" ]] && export CREAM_REQUIRE_CUDNN=1
OUT="${OUT:-/tmp/gpu-attn-cudnn}"
mkdir -p "$OUT"
JAVA=("$RT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
export CREAM_GPU_REPORT="$OUT/errors.tsv"
# cuDNN says why it refuses a graph here (1 = errors).
export CUDNN_LOGLEVEL_DBG="${CUDNN_LOGLEVEL_DBG:-1}" CUDNN_LOGDEST_DBG="$OUT/cudnn.log"
export TRANSFORMERS_VERBOSITY=error HF_HUB_DISABLE_PROGRESS_BARS=1
CP="$HERE/junit-console.jar:$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
date -u +"%Y-%m-%d %H:%M UTC"
if [[ "${TESTS:-1}" != 0 ]]; then
  sel=()
  for c in ${CLASSES:-CudnnAttentionTest CudaAttentionBf16Test CudaBf16TrainingStepTest CudaBf16TrainingPassTest}; do
    sel+=(--select-class "io.cream.backend.cuda.$c")
  done
  "${JAVA[@]}" -Xmx8g -cp "$CP" org.junit.platform.console.ConsoleLauncher execute "${sel[@]}" \
    --reports-dir "$OUT/junit" --details=summary --disable-banner 2>&1 | grep -v "incubator modules" | tail -40
  cat "$CREAM_GPU_REPORT"
fi
timeout 200 "${JAVA[@]}" -cp "$CP" io.cream.backend.cuda.CudaBench attention bf16,bf16/cast5 ${BENCH_7B:+7b} 2>&1 | grep -v "incubator"
bench() { timeout 150 "${JAVA[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/cream.jar" bench train "$@" --device cuda --precision bf16 2>&1 | grep -v incubator; }
bench --model tinyllama-1.1b --seq 4096 --batch 4 --steps 3 --warmup 1 --profile
CREAM_CUDNN=0 bench --model tinyllama-1.1b --seq 4096 --batch 4 --steps 3 --warmup 1
if [[ -f "$HERE/cream-base.jar" ]]; then # A/B against an earlier build, alternating
  for round in 1 2; do
    echo "-- base jar, round $round"
    timeout 150 "${JAVA[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/cream-base.jar" bench train --model tinyllama-1.1b --seq 4096 --batch 4 --steps 5 --warmup 1 --device cuda --precision bf16 2>&1 | grep "step median"
    echo "-- this jar, round $round"
    bench --model tinyllama-1.1b --seq 4096 --batch 4 --steps 5 --warmup 1 | grep "step median"
  done
fi
timeout 120 python3 "$HERE/bench_torch.py" train --model tinyllama-1.1b --seq 4096 --batch 4 --precision amp --steps 5 --warmup 2
if [[ -n "${BENCH_7B:-}" ]]; then
  bench --model llama2-7b --seq 4096 --batch 1 --recompute --steps 2 --warmup 1
  timeout 120 python3 "$HERE/bench_torch.py" train --model llama2-7b --seq 4096 --batch 1 --recompute --precision amp --steps 3 --warmup 1
fi
