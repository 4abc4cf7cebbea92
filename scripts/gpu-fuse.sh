#!/usr/bin/env bash
# The work outside attention (issue 5: device-only embedding backward, fused clip + AdamW,
# one-pass RMSNorm backward, 16-byte SwiGLU/add, shared bf16 input casts, no residual copies) in
# one device call, from the folder scripts/gpu-pack.sh filled plus this script and cream-base.jar
# (the jar before the change): the TinyLlama training step in bf16 with --profile, base then new,
# PyTorch amp on the same card, then every test of io.cream.backend.cuda. Logs under $OUT.
# Here: scripts/gpu-pack.sh DEST && cp scripts/gpu-fuse.sh DEST/ && cp BASE.jar DEST/cream-base.jar
# There: bash DEST/gpu-fuse.sh        (TESTS=0 skips the tests, TRAIN=0 the training steps;
# STEPS and WARMUP set cream's timed and warm-up steps, 3 and 1 by default)
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-fuse}"
mkdir -p "$OUT"
J=("$RT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
export TRANSFORMERS_VERBOSITY=error
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
date -u +"%Y-%m-%d %H:%M UTC"

if [[ "${TRAIN:-1}" != 0 ]]; then
  B=(bench train --model tinyllama-1.1b --seq 4096 --batch 4 --device cuda --precision bf16
     --steps "${STEPS:-3}" --warmup "${WARMUP:-1}" --profile)
  for jar in cream-base.jar cream.jar; do
    echo "== TinyLlama step 4 × 4096, --precision bf16, $jar"
    s=$SECONDS
    timeout 100 "${J[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/$jar" "${B[@]}" 2>&1 \
      | grep -v incubator | tee "$OUT/train-$jar.txt"
    echo "($((SECONDS - s)) s)"
  done
  echo "== PyTorch amp"
  timeout 90 python3 "$HERE/bench_torch.py" train --model tinyllama-1.1b --seq 4096 --batch 4 \
    --precision amp --steps 5 --warmup 2 2>&1 | tee "$OUT/torch-amp.txt"
fi

if [[ "${TESTS:-1}" != 0 ]]; then
  echo "== tests (io.cream.backend.cuda)"
  export CREAM_GPU_REPORT="$OUT/errors.tsv"
  : > "$CREAM_GPU_REPORT"
  s=$SECONDS
  timeout "${TEST_TIMEOUT:-170}" "${J[@]}" -Xmx8g \
    -cp "$HERE/junit-console.jar:$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
    --select-package io.cream.backend.cuda > "$OUT/tests.log" 2>&1
  echo "junit exit $? ($((SECONDS - s)) s)"
  grep -E "tests (successful|failed|skipped|found)|✘" "$OUT/tests.log" | head -30
  awk -F"\t" '$4 != "ok"' "$CREAM_GPU_REPORT" | head -20
  echo "$(grep -c "	ok" "$CREAM_GPU_REPORT") comparisons ok"
fi
echo "gpu-fuse: done"
