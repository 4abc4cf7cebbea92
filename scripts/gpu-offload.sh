#!/usr/bin/env bash
# Issue 12 on one GPU (H100 80GB or H200), in one call of at most 10 minutes: the memory plan,
# --offload optimizer, bf16 weight storage and chunked cross-entropy, measured.
#   here:   scripts/gpu-pack.sh --lean .gpu-lean          (the runtime and the jar)
#   there:  bash scripts/gpu-offload.sh                    (from the repository root, .gpu-lean carried;
#           PACK=DIR names another pack folder, e.g. one built with --tests)
# With the tests in the pack (scripts/gpu-pack.sh --lean --tests .gpu-lean, 24 MiB) it starts with
# step 0, the GPU tests of this change (CudaOffloadOpsTest, CudaOffloadStateTest) and the bf16 ones it touches.
#   1. A small model (4 × 256, vocabulary 4,096) trained 12 steps through the CLI on the CPU and on
#      the GPU (fp32 and bf16), each with --offload none and --offload optimizer: the loss curves and
#      gradient norms of a pair must be the same numbers (the CPU pair bit for bit), the GPU's fp32
#      curve must follow the CPU's (≤ 1e-4), the bf16 one loosely (≤ 5e-2).
#   2. Llama-2-7B's shape (random weights from train --init, in memory: a 7B checkpoint on disk
#      would take 27 GB to write and read for nothing this measures) at window 4096, batch 1,
#      --grad-accum 16, --recompute, bf16, --offload optimizer: --plan, on a card under 100 GB a
#      refused --offload none (one line), then BIG_STEPS (3) steps with --no-save; the run prints its
#      peak device memory in tensors and its peak resident host memory beside the plan, nvidia-smi
#      is sampled every 0.5 s. 2b. On a card of 100 GB or more (H200), which holds the optimizer
#      state too, the same step with --offload none: the offload's cost, measured in the same call.
#   3. The same shape at window 32768 (batch 1, --grad-accum 1, --offload auto: the plan moves the
#      optimizer state to host memory by itself), BIG_STEPS steps.
# Every step has a time limit (STEP1_S per small run, STEP2_S, STEP3_S), cut to what is left of
# BUDGET_S (default 580 s) for the whole call; outputs under $OUT (default
# /tmp/gpu-offload): logs, metrics, plans, nvidia-smi samples, and summary.txt.
set -uo pipefail
ROOT="$(pwd)"
HERE="${PACK:-$ROOT/.gpu-lean}"
[[ -f "$HERE/cream.jar" || -f "$HERE/classes.txz" ]] || { echo "gpu-offload: no cream.jar or classes.txz in $HERE (run scripts/gpu-pack.sh --lean .gpu-lean and carry it)" >&2; exit 2; }
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-offload}"
W="${TMPDIR:-/tmp}/cream-offload"
STEP1_S="${STEP1_S:-90}" STEP2_S="${STEP2_S:-200}" STEP3_S="${STEP3_S:-170}"
BIG_STEPS="${BIG_STEPS:-3}" # the first step pays for compiles and uploads: throughput is read from the later ones
HEAP_PCT="${HEAP_PCT:-20}" # the optimizer state lives outside the Java heap
BUDGET_S="${BUDGET_S:-580}"
left() { # the smaller of $1 and what is left of the budget, minus 15 s for the plans and summary
  local rest=$((BUDGET_S - (SECONDS - t0) - 15))
  ((rest < $1)) && echo $((rest > 10 ? rest : 10)) || echo "$1"
}
mkdir -p "$OUT" "$W"
t0=$SECONDS
cream() { # time-limit (seconds) and cream's arguments
  local limit="$1"; shift
  timeout "$limit" "${JAVA_RUN[@]}" -XX:MaxRAMPercentage="$HEAP_PCT" -cp "$CREAM_CP" io.cream.cli.Main "$@"
}
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader; nproc; free -g | head -2; } 2>&1 | tee "$OUT/machine.txt"

if [[ -f "$CLASSDIR/junit-console.jar" && -d "$CLASSDIR/test-classes" ]]; then
  echo "== 0. GPU tests of this change (the pack has its tests)"
  timeout 150 "${JAVA_RUN[@]}" -Xmx8g -cp "$TEST_CP" \
    org.junit.platform.console.ConsoleLauncher execute --select-class io.cream.backend.cuda.CudaOffloadOpsTest \
    --select-class io.cream.train.CudaOffloadStateTest --select-class io.cream.backend.cuda.CudaBf16LinearTest \
    --select-class io.cream.backend.cuda.CudaBf16TrainingPassTest --select-class io.cream.backend.cuda.CudaGroupedLinearTest \
    --details=tree --disable-banner > "$OUT/tests.log" 2>&1
  echo "tests: exit $?"; grep -E "✘|tests (successful|failed|skipped)" "$OUT/tests.log" | head -20
fi

# Documents: random words from the eval word lists, long enough for CREAM at a 32K window.
TOK="$ROOT/docs/base-recipe/tokenizer.json"
if [[ ! -d "$W/data" ]]; then
  python3 - "$ROOT/src/main/resources/io/cream/eval" "$W/data" <<'PY'
import os, random, sys
words = [w.strip() for f in ("nouns.txt", "adjectives.txt") for w in open(os.path.join(sys.argv[1], f)) if w.strip()]
words += "the a of and to in is was it that he she they with for on as at by".split()
os.makedirs(sys.argv[2])
rng = random.Random(12)
for d in range(24):
    with open(os.path.join(sys.argv[2], "doc%02d.txt" % d), "w") as f:
        for s in range(5000):
            f.write(" ".join(rng.choice(words) for _ in range(rng.randint(6, 14))).capitalize() + ". ")
            if s % 12 == 11: f.write("\n\n")
PY
fi
cat > "$W/small.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 256,
 "intermediate_size": 688, "num_hidden_layers": 4, "num_attention_heads": 8,
 "num_key_value_heads": 4, "head_dim": 32, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
 "max_position_embeddings": 256, "vocab_size": 4096, "tie_word_embeddings": false,
 "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02}
JSON
cat > "$W/llama2-7b.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
 "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
 "num_key_value_heads": 32, "head_dim": 128, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
 "max_position_embeddings": 4096, "vocab_size": 32000, "tie_word_embeddings": false,
 "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02}
JSON

echo "== 1. small model: offload none vs optimizer, CPU and GPU ($((SECONDS - t0)) s)"
small() { # name device precision offload
  rm -rf "$W/small-$1"
  cream "$(left "$STEP1_S")" train --init "$W/small.json" --tokenizer "$TOK" --data "$W/data" --window 256 --factor 8 \
    --method cream --rope yarn --steps 12 --batch 8 --grad-accum 2 --lr 1e-3 --warmup 2 --clip 0.5 --seed 3 \
    --device "$2" --precision "$3" --offload "$4" --save-every 6 --out "$W/small-$1" > "$OUT/small-$1.log" 2>&1
  echo "small $1: exit $? ($((SECONDS - t0)) s)"
  cp "$W/small-$1/metrics.jsonl" "$OUT/metrics-small-$1.jsonl" 2>/dev/null
}
small cpu-none cpu fp32 none
small cpu-host cpu fp32 optimizer
small cuda-none cuda fp32 none
small cuda-host cuda fp32 optimizer
small bf16-none cuda bf16 none
small bf16-host cuda bf16 optimizer
grep -h "optimizer state:\|^memory:" "$OUT"/small-*.log
python3 - "$OUT" <<'PY' | tee "$OUT/small-compare.txt"
import json, os, sys
def curve(n):
    f = os.path.join(sys.argv[1], "metrics-small-%s.jsonl" % n)
    return [json.loads(l) for l in open(f) if l.strip()] if os.path.exists(f) else []
def rel(a, b): return abs(a - b) / max(abs(a), 1e-30)
runs = {n: curve(n) for n in ["cpu-none", "cpu-host", "cuda-none", "cuda-host", "bf16-none", "bf16-host"]}
print("%-22s %6s %12s %12s %s" % ("pair", "steps", "worst loss", "worst norm", "verdict"))
for a, b, tol in [("cpu-none", "cpu-host", 0.0), ("cuda-none", "cuda-host", 0.0), ("bf16-none", "bf16-host", 0.0),
                  ("cpu-none", "cuda-none", 1e-4), ("cpu-none", "bf16-none", 5e-2)]:
    x, y = runs[a], runs[b]
    n = min(len(x), len(y))
    wl = max([rel(x[i]["loss"], y[i]["loss"]) for i in range(n)] or [float("nan")])
    wn = max([rel(x[i]["grad_norm"], y[i]["grad_norm"]) for i in range(n)] or [float("nan")])
    ok = n == 12 and wl <= tol and (tol > 0 or wn == 0)
    print("%-22s %6d %12.3e %12.3e %s" % (a + " / " + b, n, wl, wn, ("identical" if tol == 0 else "≤ %.0e" % tol) + (" OK" if ok else " MISMATCH")))
for n, r in runs.items():
    if r: print("%-10s tokens/s (median of steps 2+): %.0f" % (n, sorted(x["tokens_per_s"] for x in r[1:])[len(r[1:]) // 2]))
PY

gpu_sampler() { # file: nvidia-smi's used memory every 0.5 s until killed
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 500 > "$1" 2>/dev/null &
  echo $!
}
big() { # name window grad-accum offload time-limit
  echo "-- plan"
  cream 60 train --init "$W/llama2-7b.json" --tokenizer "$TOK" --data "$W/data" --out "$W/big-$1" --window "$2" \
    --factor 8 --method cream --device cuda --precision bf16 --offload "$4" --batch 1 --grad-accum "$3" \
    --recompute --steps 2 --plan 2>&1 | grep -v "incubator modules" | tee "$OUT/plan-$1.txt"
  echo "-- train ($((SECONDS - t0)) s)"
  rm -rf "$W/big-$1"
  local smi; smi=$(gpu_sampler "$OUT/nvidia-smi-$1.txt")
  local start=$SECONDS
  cream "$5" train --init "$W/llama2-7b.json" --tokenizer "$TOK" --data "$W/data" --out "$W/big-$1" \
    --window "$2" --factor 8 --method cream --rope linear --device cuda --precision bf16 --offload "$4" --batch 1 \
    --grad-accum "$3" --recompute --steps "$BIG_STEPS" --warmup 1 --lr 1e-5 --no-save > "$OUT/train-$1.log" 2>&1
  local code=$?
  kill "$smi" 2>/dev/null
  grep -v "incubator modules\|^  \|memory plan" "$OUT/train-$1.log" | tr '\r' '\n' | grep -v "^\s*$" | tail -14
  echo "train $1: exit $code after $((SECONDS - start)) s"
  cp "$W/big-$1/metrics.jsonl" "$OUT/metrics-$1.jsonl" 2>/dev/null && cat "$OUT/metrics-$1.jsonl"
  echo "nvidia-smi peak memory.used: $(sort -n "$OUT/nvidia-smi-$1.txt" | tail -1) MiB"
}

GPU_MIB="$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | head -1)"
echo "== 2. Llama-2-7B shape, window 4096, --offload optimizer ($((SECONDS - t0)) s)"
if ((GPU_MIB < 100000)); then # an 80 GB card: --offload none must be refused up front
  cream 60 train --init "$W/llama2-7b.json" --tokenizer "$TOK" --data "$W/data" --out "$W/refused" --window 4096 \
    --device cuda --precision bf16 --offload none --batch 1 --grad-accum 16 --recompute --steps 2 \
    > "$OUT/refused-none.log" 2>&1
  echo "--offload none: exit $? — $(grep '^cream: ' "$OUT/refused-none.log")"
fi
big 7b-4k 4096 16 optimizer "$(left "$STEP2_S")"
if ((GPU_MIB >= 100000)); then # an H200 holds both: the cost of the offload, measured in this call
  echo "== 2b. the same step with the optimizer on the GPU (--offload none) ($((SECONDS - t0)) s)"
  big 7b-4k-gpu 4096 16 none "$(left "$STEP2_S")"
fi

echo "== 3. Llama-2-7B shape, window 32768, --offload auto ($((SECONDS - t0)) s)"
big 7b-32k 32768 1 auto "$(left "$STEP3_S")"

{
  echo "gpu-offload summary ($(head -1 "$OUT/machine.txt"))"
  cat "$OUT/small-compare.txt"
  for n in 7b-4k 7b-4k-gpu 7b-32k; do
    [[ -f "$OUT/plan-$n.txt" ]] || continue
    echo "-- $n"
    grep -h "^  total\|^  free\|fits" "$OUT/plan-$n.txt" 2>/dev/null
    grep -h "^note:\|optimizer state:\|^memory:\|attention:" "$OUT/train-$n.log" 2>/dev/null
    grep -h '"step"' "$OUT/metrics-$n.jsonl" 2>/dev/null
    echo "nvidia-smi peak memory.used: $(sort -n "$OUT/nvidia-smi-$n.txt" 2>/dev/null | tail -1) MiB"
  done
} > "$OUT/summary.txt"
cat "$OUT/summary.txt"
echo "gpu-offload: done in $((SECONDS - t0)) s (outputs in $OUT)"
