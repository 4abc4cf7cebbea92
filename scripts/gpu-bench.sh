#!/usr/bin/env bash
# Side-by-side speed on one GPU machine, from the folder scripts/gpu-pack.sh filled: cream's
# `bench train` / `bench infer` and the same shapes in PyTorch + transformers (bench_torch.py).
# Each run has its own time limit so one slow or failing case does not hide the rest; a shape that
# does not fit in memory is reported as such. Everything is printed (and appended to $OUT/bench.log).
# BENCH_7B=0 skips the Llama-2-7B shape; TINY_BATCH sets the TinyLlama batch (default 4);
# PRECISION (default bf16) what cream feeds the tensor cores; MORE=0 skips the extra variants.
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-bench}"
mkdir -p "$OUT"
LOG="$OUT/bench.log"
export TRANSFORMERS_VERBOSITY=error HF_HUB_DISABLE_PROGRESS_BARS=1
run() { # LIMIT_SECONDS COMMAND...: prints the command, its output and its wall time
  local limit=$1; shift
  echo "\$ $*" | sed "s|$HERE/||g" | tee -a "$LOG"
  local start=$SECONDS
  timeout "$limit" "$@" 2>&1 | grep -v "incubator modules" | tee -a "$LOG"
  echo "  ($((SECONDS - start)) s, exit ${PIPESTATUS[0]})" | tee -a "$LOG"
}
cream() {
  run "$1" "${JAVA_RUN[@]}" -XX:MaxRAMPercentage=70 -cp "$CREAM_CP" io.cream.cli.Main "${@:2}"
}
torchb() { run "$1" python3 "$HERE/bench_torch.py" "${@:2}"; }

nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader | tee -a "$LOG"
date -u +"%Y-%m-%d %H:%M UTC" | tee -a "$LOG"
B=${TINY_BATCH:-4}
# What cream feeds the tensor cores in the main rows (bf16 autocast is what PyTorch amp does).
P=(--precision "${PRECISION:-bf16}")
# Most telling first: the time limit of a device call may cut the tail.
echo "== TinyLlama-1.1B shape, training at 4096 tokens, batch $B" | tee -a "$LOG"
cream 150 bench train --model tinyllama-1.1b --seq 4096 --batch "$B" --steps 3 --warmup 1 --device cuda "${P[@]}" --profile
torchb 120 train --model tinyllama-1.1b --seq 4096 --batch "$B" --precision amp --steps 5 --warmup 2 --profile
echo "== TinyLlama-1.1B shape, 32K-token prefill and decode" | tee -a "$LOG"
cream 150 bench infer --model tinyllama-1.1b --prefill 32768 --decode 64 --chunk 32768 --device cuda "${P[@]}"
cream 150 bench infer --model tinyllama-1.1b --prefill 32768 --decode 64 --chunk 4096 --device cuda "${P[@]}"
torchb 90 infer --model tinyllama-1.1b --prefill 32768 --decode 64 --dtype bf16
if [[ "${BENCH_7B:-1}" != 0 ]]; then
  echo "== Llama-2-7B shape, training at 4096 tokens, batch 1, activation recomputation" | tee -a "$LOG"
  cream 150 bench train --model llama2-7b --seq 4096 --batch 1 --recompute --steps 2 --warmup 1 --device cuda "${P[@]}"
  torchb 120 train --model llama2-7b --seq 4096 --batch 1 --recompute --precision amp --steps 3 --warmup 1
  cream 150 bench infer --model llama2-7b --prefill 32768 --decode 32 --chunk 32768 --device cuda "${P[@]}"
  torchb 90 infer --model llama2-7b --prefill 32768 --decode 32 --dtype bf16
fi
[[ "${MORE:-1}" == 0 ]] && { echo "gpu-bench: done" | tee -a "$LOG"; exit 0; }
echo "== more variants: exact fp32, pure bf16, fp32 inference, 7B without optimizer state" | tee -a "$LOG"
cream 120 bench train --model tinyllama-1.1b --seq 4096 --batch "$B" --steps 2 --warmup 1 --device cuda
torchb 90 train --model tinyllama-1.1b --seq 4096 --batch "$B" --precision bf16 --steps 5 --warmup 2
torchb 90 infer --model tinyllama-1.1b --prefill 32768 --decode 64 --dtype fp32
if [[ "${BENCH_7B:-1}" != 0 ]]; then
  cream 120 bench train --model llama2-7b --seq 4096 --batch 1 --recompute --optimizer none --steps 2 --warmup 1 --device cuda --tf32
  torchb 120 train --model llama2-7b --seq 4096 --batch 1 --recompute --precision amp --steps 3 --warmup 1
fi
echo "gpu-bench: done" | tee -a "$LOG"
