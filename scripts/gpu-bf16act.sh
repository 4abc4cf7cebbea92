#!/usr/bin/env bash
# bf16 activations (issue 5: norm and SwiGLU outputs written in bf16, read by the linear layers
# without a cast) in one device call, from the folder scripts/gpu-pack.sh filled plus this script
# and cream-base.jar (the jar before the change): the io.cream.backend.cuda tests, the TinyLlama
# step in bf16 with --profile (base, then new), PyTorch amp on the same card, then the Llama-2-7B
# recompute step (new) beside PyTorch amp. Logs under $OUT.
# Here: scripts/gpu-pack.sh DEST && cp scripts/gpu-bf16act.sh DEST/ && cp BASE.jar DEST/cream-base.jar
# There: bash DEST/gpu-bf16act.sh     (TESTS=0 skips the tests, BENCH_7B=0 the 7B pair)
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-bf16act}"
mkdir -p "$OUT"
J=("$RT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
export TRANSFORMERS_VERBOSITY=error
export HF_HUB_DISABLE_PROGRESS_BARS=1
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
date -u +"%Y-%m-%d %H:%M UTC"
step() { # LIMIT NAME COMMAND...: output to the console and $OUT/NAME.txt, then the wall time
  local limit=$1 name=$2 s=$SECONDS; shift 2
  echo "== $name"
  timeout "$limit" "$@" 2>&1 | grep -v incubator | tee "$OUT/$name.txt"
  echo "($((SECONDS - s)) s, exit ${PIPESTATUS[0]})"
}

if [[ "${TESTS:-1}" != 0 ]]; then
  echo "== tests (io.cream.backend.cuda)"
  export CREAM_GPU_REPORT="$OUT/errors.tsv"
  : > "$CREAM_GPU_REPORT"
  s=$SECONDS
  timeout "${TEST_TIMEOUT:-90}" "${J[@]}" -Xmx8g \
    -cp "$HERE/junit-console.jar:$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
    --select-package io.cream.backend.cuda > "$OUT/tests.log" 2>&1
  echo "junit exit $? ($((SECONDS - s)) s)"
  grep -E "tests (successful|failed|aborted|found)|✘" "$OUT/tests.log" | head -30
  awk -F"\t" '$4 != "ok"' "$CREAM_GPU_REPORT" | head -20
  grep -iE "bf16 (pass|out)|bf16 x|matmulInput" "$CREAM_GPU_REPORT" | head -30
  echo "$(grep -c "	ok" "$CREAM_GPU_REPORT") comparisons ok"
fi

B=(bench train --model tinyllama-1.1b --seq 4096 --batch 4 --device cuda --precision bf16
   --steps 3 --warmup 1 --profile)
for jar in cream-base.jar cream.jar; do
  step 75 "tiny-$jar" "${J[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/$jar" "${B[@]}"
done
step 75 torch-tiny python3 "$HERE/bench_torch.py" train --model tinyllama-1.1b --seq 4096 \
  --batch 4 --precision amp --steps 5 --warmup 2
if [[ "${BENCH_7B:-1}" != 0 ]]; then
  step 90 7b-cream.jar "${J[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/cream.jar" bench train \
    --model llama2-7b --seq 4096 --batch 1 --recompute --steps 2 --warmup 1 --device cuda \
    --precision bf16
  step 90 torch-7b python3 "$HERE/bench_torch.py" train --model llama2-7b --seq 4096 --batch 1 \
    --recompute --precision amp --steps 3 --warmup 1
fi
echo "gpu-bf16act: done"
