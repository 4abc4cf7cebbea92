#!/usr/bin/env bash
# bf16 attention backward speed (issue 5) in one device call, from the folder scripts/gpu-pack.sh
# filled plus cream-base.jar (the jar before the change): the attention tests (bf16 against
# float64, every bf16 kernel variant bit-identical, TF32/FP32 tensor-core tests, NVRTC compiling
# every kernel file), the kernels alone (CudaBench attention, TinyLlama and Llama-2-7B shapes) with
# the base jar and the new one, then the TinyLlama bf16 training step (new with --profile, base
# with --profile) and PyTorch amp. Logs under $OUT.
# STEPS=0 stops after the kernels; TESTS=0 skips the tests; KERNELS: the CudaBench list for the
# new jar (bf16/STAGING picks the bf16 kernels); LONG=0 leaves out the 7B shapes, BASE_LONG=0
# only for the base jar.
# Here: scripts/gpu-pack.sh DEST && cp scripts/gpu-attn-bwd.sh DEST/ && cp BASE.jar
# DEST/cream-base.jar; there: bash DEST/gpu-attn-bwd.sh
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-attn-bwd}"
mkdir -p "$OUT"
J=("$RT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
date -u +"%Y-%m-%d %H:%M UTC"
if [[ "${TESTS:-1}" != 0 ]]; then
  echo "== tests"
  export CREAM_GPU_REPORT="$OUT/errors.tsv"
  start=$SECONDS
  timeout 150 "${J[@]}" -Xmx8g -cp "$HERE/junit-console.jar:$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
    --select-class io.cream.backend.cuda.CudaAttentionBf16Test \
    --select-class io.cream.backend.cuda.Bf16AttentionKernelsTest \
    --select-class io.cream.backend.cuda.CudaAttentionTensorCoreTest \
    --select-class io.cream.backend.cuda.KernelSourcesTest \
    --select-class io.cream.backend.cuda.KernelCompileTest > "$OUT/tests.log" 2>&1
  echo "junit exit $? ($((SECONDS - start)) s)"
  grep -E "tests (successful|failed|skipped)" "$OUT/tests.log"
  grep -A4 "✘" "$OUT/tests.log" | grep -v "^--" | head -30
  grep -E "bf16" "$CREAM_GPU_REPORT" | sort | awk -F"\t" '{printf "%-40s %s %s %s\n", $1, $2, $3, $4}' | head -40
fi
L=""; [[ "${LONG:-1}" != 0 ]] && L="7b"
BL="$L"; [[ "${BASE_LONG:-1}" == 0 ]] && BL=""
start=$SECONDS
echo "== kernels alone, base"
timeout 100 "${J[@]}" -Xmx24g -cp "$HERE/cream-base.jar:$HERE/test-classes:$HERE/lib/*" \
  io.cream.backend.cuda.CudaBench attention bf16 $BL 2>&1 | grep -v incubator | tee "$OUT/kernels-base.txt"
echo "== kernels alone, new"
timeout 150 "${J[@]}" -Xmx24g -cp "$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*" \
  io.cream.backend.cuda.CudaBench attention "${KERNELS:-bf16,bf16/cast5,bf16/async}" $L 2>&1 \
  | grep -v incubator | tee "$OUT/kernels-new.txt"
echo "($((SECONDS - start)) s)"
[[ "${STEPS:-1}" == 0 ]] && exit 0
B=(bench train --model tinyllama-1.1b --seq 4096 --batch 4 --device cuda --precision bf16 --steps 3 --warmup 1 --profile)
for jar in cream.jar cream-base.jar; do
  echo "== train step, $jar"
  start=$SECONDS
  timeout 90 "${J[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/$jar" "${B[@]}" 2>&1 | grep -v incubator \
    | tee "$OUT/train-$jar.txt" | grep -iE "step|attention" | head -12
  echo "($((SECONDS - start)) s)"
done
echo "== PyTorch amp"
timeout 80 python3 "$HERE/bench_torch.py" train --model tinyllama-1.1b --seq 4096 --batch 4 --precision amp --steps 5 --warmup 2 2>&1 | tee "$OUT/torch.txt" | tail -2
