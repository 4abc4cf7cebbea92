#!/usr/bin/env bash
# The bf16 GEMM work (issue 5) in one device call, from the folder scripts/gpu-pack.sh filled plus
# this script: GEMM and cast speed alone (CudaBench linear), the bf16 tests with the GPU-vs-CPU
# tests they sit beside, our model against transformers in fp32 and bf16 (HfParity +
# hf_parity.py), then one TinyLlama training step with --precision tf32 and bf16 (--profile) and
# PyTorch amp on the same card. Logs under $OUT; a short summary is printed.
# ALL_TESTS=1 runs every test of io.cream.backend.cuda instead; PARITY=0 and TRAIN=0 skip parts.
# Here: scripts/gpu-pack.sh DEST && cp scripts/gpu-bf16gemm.sh DEST/; there: bash DEST/gpu-bf16gemm.sh
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-bf16gemm}"
mkdir -p "$OUT"
J=("$RT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
export TRANSFORMERS_VERBOSITY=error HF_HUB_DISABLE_PROGRESS_BARS=1
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
date -u +"%Y-%m-%d %H:%M UTC"

echo "== GEMM 4096³ per precision, bf16 cast alone"
timeout 60 "${J[@]}" -cp "$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*" io.cream.backend.cuda.CudaBench \
  linear 2>&1 | grep -v incubator | tee "$OUT/kernels.txt"

echo "== tests"
export CREAM_GPU_REPORT="$OUT/errors.tsv"
: > "$CREAM_GPU_REPORT"
sel=(--select-package io.cream.backend.cuda)
if [[ "${ALL_TESTS:-0}" == 0 ]]; then
  sel=()
  for c in CudaBf16CastTest CudaBf16LinearTest CudaBf16TrainingStepTest CudaVsCpuTest CudaTrainingStepTest; do
    sel+=(--select-class "io.cream.backend.cuda.$c")
  done
fi
timeout 240 "${J[@]}" -Xmx8g -cp "$HERE/junit-console.jar:$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree "${sel[@]}" \
  > "$OUT/tests.log" 2>&1
echo "junit exit $?"
grep -E "tests (successful|failed|skipped|found)|✘" "$OUT/tests.log" | head -20
grep -E "bf16|FAIL|linear" "$CREAM_GPU_REPORT"; echo "$(grep -c "	ok" "$CREAM_GPU_REPORT") comparisons ok"

if [[ "${PARITY:-1}" != 0 ]]; then
echo "== HF parity (fp32 and bf16)"
PDIR="${TMPDIR:-/tmp}/cream-hf-parity"
rm -rf "$PDIR"
timeout 90 "${J[@]}" -Xmx8g -cp "$HERE/cream.jar:$HERE/lib/*" io.cream.tools.HfParity "$PDIR" \
  cpu,cuda,cuda-bf16 > "$OUT/hf-parity-java.log" 2>&1 || { echo "HfParity failed:"; tail -20 "$OUT/hf-parity-java.log"; }
timeout 150 python3 "$HERE/hf_parity.py" "$PDIR" --json "$OUT/hf_parity.json" 2>&1 \
  | grep -v "Warning\|warn(" | tee "$OUT/hf-parity.log"
fi
[[ "${TRAIN:-1}" == 0 ]] && { echo "gpu-bf16gemm: done"; exit 0; }

echo "== TinyLlama step, 4 × 4096: tf32, bf16, PyTorch amp"
B=(bench train --model tinyllama-1.1b --seq 4096 --batch 4 --device cuda --steps 3 --warmup 1 --profile)
for p in tf32 bf16; do
  timeout 110 "${J[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/cream.jar" "${B[@]}" --precision "$p" 2>&1 \
    | grep -v incubator | tee "$OUT/train-$p.txt"
done
timeout 110 python3 "$HERE/bench_torch.py" train --model tinyllama-1.1b --seq 4096 --batch 4 --precision amp \
  --steps 5 --warmup 2 --profile 2>&1 | tee "$OUT/torch-amp.txt"
echo "gpu-bf16gemm: done"
