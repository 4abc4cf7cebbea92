#!/usr/bin/env bash
# A/B on one GPU: the same `cream bench` command with two builds of cream (or one build under two
# settings) on the same card in one device call, alternating A and B so that the machine's drift
# falls on both alike. Optionally the kernels alone (CudaBench, from the test classes) per side, a
# --profile run per side, and PyTorch + transformers on the same shape. Logs under $OUT; a summary
# of every timed run is printed last.
#
# Here, where the sources are:
#   scripts/gpu-pack.sh DEST                 B: this checkout (DEST/cream.jar, runtime, tests, scripts)
#   scripts/gpu-ab.sh --build REV DEST       A: git revision REV built into DEST/cream-a.jar (+ its
#                                            test classes in DEST/test-classes-a, for KERNELS)
# There, on the GPU machine:
#   bash DEST/gpu-ab.sh                      the TinyLlama bf16 training step, A then B, twice
# Settings (environment variables):
#   A_JAR, B_JAR  the jars (default DEST/cream-a.jar and DEST/cream.jar). Give the same jar twice and
#                 A_ENV/B_ENV to compare settings, e.g. A_JAR=DEST/cream.jar B_ENV="CREAM_CUDNN=0"
#   A_ENV, B_ENV  extra environment of each side, space-separated NAME=VALUE pairs
#   BENCH         the bench arguments (default: train --model tinyllama-1.1b --seq 4096 --batch 4
#                 --steps 5 --warmup 1 --device cuda --precision bf16; e.g. "infer --model
#                 llama2-7b --prefill 32768 --chunk 32768 --device cuda --precision bf16")
#   ROUNDS        A/B alternations (default 2)
#   PROFILE=1     one more run per side with --profile (the per-op table of bench train)
#   KERNELS       CudaBench arguments run per side before the steps, e.g. "attention bf16 7b" or "linear"
#   TORCH=1       bench_torch.py with TORCH_ARGS (default: the TinyLlama amp step) after the rounds
#   LIMIT         seconds each run may take (default 200)
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"

if [[ "${1:-}" == "--build" ]]; then # here: build revision $2's jar into folder $3
  REV="${2:?usage: scripts/gpu-ab.sh --build REV DEST}"
  DEST="$(readlink -m "${3:?usage: scripts/gpu-ab.sh --build REV DEST}")"
  ROOT="$(cd "$HERE/.." && pwd)"
  TMP="$(mktemp -d)"
  trap 'git -C "$ROOT" worktree remove --force "$TMP/src" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
  git -C "$ROOT" worktree add --detach -q "$TMP/src" "$REV" || exit 2
  export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  (cd "$TMP/src" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -B -q package -DskipTests) \
    || { echo "gpu-ab: building $REV failed" >&2; exit 1; }
  mkdir -p "$DEST"
  cp "$TMP/src/target/cream.jar" "$DEST/cream-a.jar"
  rm -rf "$DEST/test-classes-a" && cp -r "$TMP/src/target/test-classes" "$DEST/test-classes-a"
  echo "gpu-ab: A = $REV ($(git -C "$ROOT" rev-parse --short "$REV")) in $DEST/cream-a.jar" >&2
  exit 0
fi

source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-ab}"
mkdir -p "$OUT"
A_JAR="${A_JAR:-$HERE/cream-a.jar}"
B_JAR="${B_JAR:-$HERE/cream.jar}"
[[ -f "$A_JAR" && -f "$B_JAR" ]] || { echo "gpu-ab: need $A_JAR and $B_JAR (scripts/gpu-ab.sh --build REV DEST)" >&2; exit 2; }
read -r -a BENCH_ARGS <<< "${BENCH:-train --model tinyllama-1.1b --seq 4096 --batch 4 --steps 5 --warmup 1 --device cuda --precision bf16}"
JOPTS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
export TRANSFORMERS_VERBOSITY=error HF_HUB_DISABLE_PROGRESS_BARS=1
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"

side() { # A|B: echoes the side's jar, environment and test classes as three lines
  if [[ "$1" == A ]]; then echo "$A_JAR"; echo "${A_ENV:-}"; echo "$HERE/test-classes-a"
  else echo "$B_JAR"; echo "${B_ENV:-}"; echo "$HERE/test-classes"; fi
}
run() { # SIDE NAME ARGS...: one bench run of a side, logged to $OUT/NAME.txt, its result line kept
  local s=$1 name=$2 start=$SECONDS; shift 2
  mapfile -t cfg < <(side "$s")
  echo "== $name ($s: $(basename "${cfg[0]}")${cfg[1]:+, ${cfg[1]}})"
  # shellcheck disable=SC2086
  timeout "${LIMIT:-200}" env ${cfg[1]} "$JAVA" "${JOPTS[@]}" -XX:MaxRAMPercentage=70 -jar "${cfg[0]}" bench "$@" 2>&1 \
    | grep -v "incubator modules" | tee "$OUT/$name.txt"
  echo "($((SECONDS - start)) s, exit ${PIPESTATUS[0]})"
  grep -E "^step median|^bench infer:" "$OUT/$name.txt" | sed "s|^|$name: |" >> "$SUMMARY"
}

nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader | tee "$OUT/gpu.txt"
date -u +"%Y-%m-%d %H:%M UTC" | tee -a "$OUT/gpu.txt"
echo "A: $A_JAR ${A_ENV:-}"; echo "B: $B_JAR ${B_ENV:-}"; echo "bench ${BENCH_ARGS[*]}"

if [[ -n "${KERNELS:-}" ]]; then
  read -r -a K <<< "$KERNELS"
  for s in A B; do
    mapfile -t cfg < <(side "$s")
    [[ -d "${cfg[2]}" ]] || { echo "gpu-ab: no ${cfg[2]} for KERNELS; skipping side $s"; continue; }
    echo "== kernels alone, $s: CudaBench ${K[*]}"
    # shellcheck disable=SC2086
    timeout "${LIMIT:-200}" env ${cfg[1]} "$JAVA" "${JOPTS[@]}" -Xmx24g -cp "${cfg[0]}:${cfg[2]}:$HERE/lib/*" \
      io.cream.backend.cuda.CudaBench "${K[@]}" 2>&1 | grep -v "incubator modules" | tee "$OUT/kernels-$s.txt"
  done
fi

for ((round = 1; round <= ${ROUNDS:-2}; round++)); do
  run A "A-$round" "${BENCH_ARGS[@]}"
  run B "B-$round" "${BENCH_ARGS[@]}"
done
if [[ "${PROFILE:-0}" != 0 ]]; then
  run A A-profile "${BENCH_ARGS[@]}" --profile
  run B B-profile "${BENCH_ARGS[@]}" --profile
fi
if [[ "${TORCH:-0}" != 0 ]]; then
  read -r -a T <<< "${TORCH_ARGS:-train --model tinyllama-1.1b --seq 4096 --batch 4 --precision amp --steps 5 --warmup 2}"
  echo "== PyTorch: bench_torch.py ${T[*]}"
  timeout "${LIMIT:-200}" python3 "$HERE/bench_torch.py" "${T[@]}" 2>&1 | tee "$OUT/torch.txt" | tail -3
fi
echo "== summary (A: $(basename "$A_JAR") ${A_ENV:-}; B: $(basename "$B_JAR") ${B_ENV:-})"
cat "$SUMMARY"
