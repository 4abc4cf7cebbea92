#!/usr/bin/env bash
# Runs the CUDA backend's tests on a GPU machine in one go, from the folder scripts/gpu-pack.sh
# filled (this script lies in it): unpacks the carried Java runtime, runs every test of
# io.cream.backend.cuda with the JUnit console launcher, and prints a short table last:
# per test class passed/failed/skipped, each GPU-vs-CPU comparison's relative error, then a
# short benchmark (skip it with BENCH_SECONDS=0). Then our model against Hugging Face transformers
# (io.cream.tools.HfParity writes random tiny checkpoints for rope none/linear/dynamic/yarn/llama3
# (+ ntk, yarn-revised) and our CPU, CUDA and CUDA --precision bf16 logits and one step's gradients;
# hf_parity.py compares (fp32 at 1e-5, bf16 at 1e-2 or PyTorch amp's own error on the model);
# skip with HF_PARITY=0; TESTS=0 skips the JUnit tests, CLASSES="CudnnAttentionTest ..." runs only those
# classes of io.cream.backend.cuda; KERNELS="attention bf16 7b" passes arguments to the benchmark).
# Logs and the JUnit XML go to $OUT (or /tmp/gpu-check). Exit code 0 only when nothing failed.
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
# On the GPU machine cuDNN is part of the check: its attention test may not skip.
[[ -n "${CREAM_CUDNN_LIB_DIR:-}" ]] && export CREAM_REQUIRE_CUDNN=1
OUT="${OUT:-/tmp/gpu-check}"
mkdir -p "$OUT"

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | tee "$OUT/gpu.txt"
"$JAVA" -version 2>&1 | head -1

export CREAM_GPU_REPORT="$OUT/errors.tsv"
: > "$CREAM_GPU_REPORT"
status=0
start=$(date +%s)
if [[ "${TESTS:-1}" != 0 ]]; then
  select=(--select-package io.cream.backend.cuda)
  if [[ -n "${CLASSES:-}" ]]; then
    select=()
    for c in $CLASSES; do select+=(--select-class "io.cream.backend.cuda.$c"); done
  fi
  "${JAVA_RUN[@]}" -Xmx8g -cp "$TEST_CP" \
    org.junit.platform.console.ConsoleLauncher execute \
    "${select[@]}" --reports-dir "$OUT/junit" \
    --details=tree --disable-banner > "$OUT/tests.log" 2>&1
  status=$?
fi
end=$(date +%s)
# The failures' first lines, then the tables.
grep "✘" "$OUT/tests.log" | head -40
tail -25 "$OUT/tests.log" | grep -E "tests (successful|failed|skipped|aborted|found)|containers failed"
python3 - "$OUT/junit" "$CREAM_GPU_REPORT" "$((end - start))" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
from collections import defaultdict
rows = defaultdict(lambda: [0, 0, 0, 0.0])
for f in glob.glob(sys.argv[1] + "/*.xml"):
    for tc in ET.parse(f).getroot().iter("testcase"):
        r = rows[tc.get("classname", "?").rsplit(".", 1)[-1]]
        if tc.find("failure") is not None or tc.find("error") is not None: r[1] += 1
        elif tc.find("skipped") is not None: r[2] += 1
        else: r[0] += 1
        r[3] += float(tc.get("time", 0))
print("\n%-26s %6s %6s %7s %8s" % ("test class", "passed", "failed", "skipped", "seconds"))
for name in sorted(rows):
    p, fl, s, t = rows[name]
    print("%-26s %6d %6d %7d %8.2f" % (name, p, fl, s, t))
tot = [sum(r[i] for r in rows.values()) for i in range(3)]
print("%-26s %6d %6d %7d %8s" % ("TOTAL", tot[0], tot[1], tot[2], sys.argv[3] + " wall"))
print("\n%-40s %11s %7s %s" % ("GPU vs CPU", "rel. error", "tol", ""))
for line in open(sys.argv[2]):
    what, err, tol, ok = line.rstrip("\n").split("\t")
    print("%-40s %11s %7s %s" % (what, err, tol, ok))
PY
if [[ "${BENCH_SECONDS:-240}" != 0 ]]; then
  echo
  timeout "${BENCH_SECONDS:-240}" "${JAVA_RUN[@]}" -Xmx8g \
    -cp "$TEST_CP" io.cream.backend.cuda.CudaBench ${KERNELS:-} \
    2>&1 | grep -v "incubator" | tee "$OUT/bench.txt"
fi
parity=0
if [[ "${HF_PARITY:-1}" != 0 ]]; then
  echo
  PDIR="${TMPDIR:-/tmp}/cream-hf-parity"
  rm -rf "$PDIR"
  "${JAVA_RUN[@]}" -Xmx8g \
    -cp "$CREAM_CP" io.cream.tools.HfParity "$PDIR" cpu,cuda,cuda-bf16 2>&1 | grep -v "incubator" \
    > "$OUT/hf-parity-java.log" || parity=1
  python3 "$HERE/hf_parity.py" "$PDIR" --json "$OUT/hf_parity.json" 2>&1 | grep -v "Warning\|warn(" | tee "$OUT/hf-parity.log"
  [[ "${PIPESTATUS[0]}" == 0 && $parity == 0 ]] || parity=1
fi
echo "gpu-check: junit exit status $status, hf parity $parity (logs in $OUT)"
[[ $status == 0 && $parity == 0 ]]
