#!/usr/bin/env bash
# Attention speed work in one device call, from the folder scripts/gpu-pack.sh filled plus
# cream-base.jar (the jar before the change): the TinyLlama-shaped attention alone with the base
# and the new kernels (CudaBench attention), every test of io.cream.backend.cuda, then a TinyLlama
# training step (new with --profile, base, PyTorch amp) on the same card. Logs under $OUT.
# TRAIN=0 stops after the tests, BASELINE=0 after the new training step.
# Here: scripts/gpu-pack.sh DEST, then copy the jar of the commit to compare against (mvn package
# in a checkout of it: target/cream.jar) to DEST/cream-base.jar; there: bash DEST/gpu-attn.sh.
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-attn}"
mkdir -p "$OUT"
J=("$RT/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader
date -u +"%Y-%m-%d %H:%M UTC"
for jar in cream-base.jar cream.jar; do
  echo "== kernels alone, $jar"
  timeout 90 "${J[@]}" -cp "$HERE/$jar:$HERE/test-classes:$HERE/lib/*" io.cream.backend.cuda.CudaBench \
    attention 2>&1 | grep -v incubator | tee "$OUT/kernels-$jar.txt"
done
echo "== tests"
export CREAM_GPU_REPORT="$OUT/errors.tsv"
timeout 200 "${J[@]}" -Xmx8g -cp "$HERE/junit-console.jar:$HERE/cream.jar:$HERE/test-classes:$HERE/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --select-package io.cream.backend.cuda > "$OUT/tests.log" 2>&1
echo "junit exit $?"; grep -E "tests (successful|failed)|✘" "$OUT/tests.log" | head -20
awk -F"\t" '$4 != "ok"' "$CREAM_GPU_REPORT" 2>/dev/null | head -20; grep -c "	ok" "$CREAM_GPU_REPORT"
[[ "${TRAIN:-1}" == 0 ]] && exit 0
B=(bench train --model tinyllama-1.1b --seq 4096 --batch 4 --device cuda --tf32)
echo "== train step, new"
timeout 120 "${J[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/cream.jar" "${B[@]}" --steps 3 --warmup 1 --profile 2>&1 | grep -v incubator | tee "$OUT/train-new.txt"
[[ "${BASELINE:-1}" == 0 ]] && exit 0
echo "== train step, base"
timeout 90 "${J[@]}" -XX:MaxRAMPercentage=70 -jar "$HERE/cream-base.jar" "${B[@]}" --steps 3 --warmup 1 2>&1 | grep -v incubator | tee "$OUT/train-base.txt"
echo "== PyTorch amp"
timeout 120 python3 "$HERE/bench_torch.py" train --model tinyllama-1.1b --seq 4096 --batch 4 --precision amp --steps 5 --warmup 2 2>&1 | tee "$OUT/torch.txt"
