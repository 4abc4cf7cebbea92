#!/usr/bin/env bash
# BF16 attention (issue 5) in one device call, from the folder scripts/gpu-pack.sh filled: the
# attention tests (bf16 against float64, FP32 and TF32, every bf16 kernel variant bit-identical;
# the TF32/FP32 tensor-core and CUDA-core tests; NVRTC compiling every kernel file), the kernels
# alone per precision and bf16 variant (CudaBench attention), the Llama-2-7B layer at 4K and 32K
# tokens with the default bf16 kernels, then a TinyLlama training step with --precision tf32 and
# bf16 (GEMMs are TF32 in both here; only attention differs) and PyTorch amp. Logs under $OUT.
# KERNELS: the CudaBench list (bf16/STAGING picks bf16 kernels); LONG=0 skips the 7B shapes;
# TRAIN=0 stops before the training steps, TORCH=0 before PyTorch.
# Here: scripts/gpu-pack.sh DEST && cp scripts/gpu-attn-bf16.sh DEST/; there: bash DEST/gpu-attn-bf16.sh
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-attn-bf16}"
mkdir -p "$OUT"
J=("$RT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
CP="$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
date -u +"%Y-%m-%d %H:%M UTC"
echo "== tests"
export CREAM_GPU_REPORT="$OUT/errors.tsv"
start=$SECONDS
timeout 150 "${J[@]}" -Xmx8g -cp "$HERE/junit-console.jar:$CP" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-class io.cream.backend.cuda.CudaAttentionBf16Test \
  --select-class io.cream.backend.cuda.Bf16AttentionKernelsTest \
  --select-class io.cream.backend.cuda.CudaAttentionTensorCoreTest \
  --select-class io.cream.backend.cuda.CudaAttentionTest \
  --select-class io.cream.backend.cuda.KernelCompileTest > "$OUT/tests.log" 2>&1
echo "junit exit $? ($((SECONDS - start)) s)"
grep -E "tests (successful|failed|skipped)|✘" "$OUT/tests.log" | head -30
grep -A3 "✘" "$OUT/tests.log" | grep -v "^--" | head -30
grep -E "bf16" "$CREAM_GPU_REPORT" | sort | awk -F"\t" '{printf "%-40s %s %s %s\n", $1, $2, $3, $4}' | head -40
echo "== kernels alone"
KERNELS="${KERNELS:-tf32,bf16,bf16/cast5,bf16/async,bf16/registers}"
start=$SECONDS
timeout 100 "${J[@]}" -cp "$CP" io.cream.backend.cuda.CudaBench attention "$KERNELS" 2>&1 \
  | grep -v incubator | tee "$OUT/kernels.txt"
echo "($((SECONDS - start)) s)"
if [[ "${LONG:-1}" != 0 ]]; then
  start=$SECONDS
  timeout 100 "${J[@]}" -Xmx24g -cp "$CP" io.cream.backend.cuda.CudaBench attention bf16 7b 2>&1 \
    | grep -v incubator | grep "32/32" | tee "$OUT/kernels-7b.txt"
  echo "($((SECONDS - start)) s)"
fi
[[ "${TRAIN:-1}" == 0 ]] && exit 0
B=(bench train --model tinyllama-1.1b --seq 4096 --batch 4 --device cuda --steps 3 --warmup 1)
for p in tf32 bf16; do
  echo "== train step --precision $p"
  start=$SECONDS
  timeout 90 "${J[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/cream.jar" "${B[@]}" --precision $p --profile 2>&1 \
    | grep -v incubator | tee "$OUT/train-$p.txt" | sed -n 2,7p
  echo "($((SECONDS - start)) s)"
done
[[ "${TORCH:-1}" == 0 ]] && exit 0
echo "== PyTorch amp"
timeout 80 python3 "$HERE/bench_torch.py" train --model tinyllama-1.1b --seq 4096 --batch 4 --precision amp --steps 5 --warmup 2 2>&1 | tee "$OUT/torch.txt" | tail -2
