#!/usr/bin/env bash
# Data-parallel training on two GPUs against one GPU, same global batch, through the real command
# line, from the folder scripts/gpu-pack.sh filled (this script lies in it). On a machine with at
# least two GPUs:
#   0. the NCCL tests (io.cream.backend.cuda.Nccl*Test: sums over 1 and 2 ranks);
#   1. parity: a small Llama (4 layers, hidden 256, exact fp32), `cream train --device cuda
#      --batch 8 --grad-accum 2` on GPU 0, then `--batch 8 --grad-accum 1 --devices 0,1`: the same
#      16 sequences per step, so the loss curves must agree (to rounding of the gradient sums);
#   2. throughput: a larger Llama (8 layers, hidden 1024, window 1024, --precision bf16), the same pair
#      (tolerance 1e-2 there: bf16).
# Prints one table per pair (loss, relative difference, tokens/s of each) and the final weights'
# relative difference. Logs and metrics go to $OUT (default /tmp/gpu-multi). Exit status 0 only
# when the NCCL tests pass, every run finished and the fp32 curves agree within 1e-5 relative.
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-multi}"
WORK="${TMPDIR:-/tmp}/cream-multi"
PARITY_STEPS="${PARITY_STEPS:-20}"
SPEED_STEPS="${SPEED_STEPS:-12}"
mkdir -p "$OUT" "$WORK"
nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpus.txt"
gpus=$(wc -l < "$OUT/gpus.txt")
[[ "$gpus" -ge 2 ]] || { echo "gpu-multi: needs two GPUs, this machine has $gpus" >&2; exit 1; }
cream() { cream_cli -XX:MaxRAMPercentage=40 "$@"; }
status=0

echo "== NCCL tests"
"${JAVA_RUN[@]}" -Xmx4g -cp "$TEST_CP" \
  org.junit.platform.console.ConsoleLauncher execute \
  --select-class io.cream.backend.cuda.NcclCommunicatorTest \
  --select-class io.cream.backend.cuda.NcclAvailabilityTest \
  --details=tree --disable-banner > "$OUT/nccl-tests.log" 2>&1 || status=1
grep -E "✔|✘|↷|tests (successful|failed|skipped)" "$OUT/nccl-tests.log" | grep -v "JUnit" | head -20

mkdir -p "$WORK/books"
cp "$HERE"/data/*.txt.gz "$WORK/books/"
cat > "$WORK/small.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 256,
 "intermediate_size": 688, "num_hidden_layers": 4, "num_attention_heads": 8,
 "num_key_value_heads": 4, "head_dim": 32, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
 "max_position_embeddings": 256, "vocab_size": 32000, "tie_word_embeddings": false,
 "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02}
JSON
cat > "$WORK/large.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 1024,
 "intermediate_size": 2816, "num_hidden_layers": 8, "num_attention_heads": 16,
 "num_key_value_heads": 8, "head_dim": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
 "max_position_embeddings": 1024, "vocab_size": 32000, "tie_word_embeddings": false,
 "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02}
JSON

# pair NAME CONFIG WINDOW BATCH STEPS TOL EXTRA...: one GPU with --grad-accum 2, two with
# --grad-accum 1; fails when loss or gradient norm differ by more than TOL (relative) at a step.
pair() {
  local name=$1 config=$2 window=$3 batch=$4 steps=$5 tol=$6; shift 6
  local common=(train --init "$WORK/$config" --tokenizer "$HERE/data/tokenizer.json"
    --data "$WORK/books" --window "$window" --factor 8 --method cream --rope yarn
    --steps "$steps" --batch "$batch" --lr 3e-4 --warmup 2 --seed 1 --device cuda "$@")
  for run in 1gpu 2gpu; do
    rm -rf "$WORK/$name-$run"
    local start=$SECONDS
    if [[ $run == 1gpu ]]; then
      echo "== $name: 1 GPU, --batch $batch --grad-accum 2"
      cream "${common[@]}" --grad-accum 2 --out "$WORK/$name-$run" > "$OUT/$name-$run.log"
    else
      echo "== $name: 2 GPUs, --batch $batch --grad-accum 1 --devices 0,1"
      cream "${common[@]}" --grad-accum 1 --devices 0,1 --out "$WORK/$name-$run" > "$OUT/$name-$run.log"
    fi
    grep -E "data parallel|training on GPUs|identical|failed|Exception|error" "$OUT/$name-$run.log" | head -8
    tail -1 "$OUT/$name-$run.log"
    echo "($((SECONDS - start)) s wall)"
    [[ -f "$WORK/$name-$run/config.json" ]] || { echo "gpu-multi: $name $run wrote no model"; status=1; }
    cp "$WORK/$name-$run/metrics.jsonl" "$OUT/metrics-$name-$run.jsonl" 2>/dev/null
  done
  python3 - "$WORK/$name-1gpu" "$WORK/$name-2gpu" "$name" "$tol" <<'PY' || status=1
import json, os, statistics, struct, sys
a_dir, b_dir, name, tol = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
def rows(d):
    return {r["step"]: r for r in (json.loads(l) for l in open(os.path.join(d, "metrics.jsonl")) if l.strip())}
a, b = rows(a_dir), rows(b_dir)
steps = sorted(set(a) & set(b))
print("%5s %13s %13s %10s %10s %11s %11s" % ("step", "loss 1 GPU", "loss 2 GPUs", "rel diff", "norm diff", "tok/s 1", "tok/s 2"))
worst = 0.0
for s in steps:
    d = abs(a[s]["loss"] - b[s]["loss"]) / abs(a[s]["loss"])
    n = abs(a[s]["grad_norm"] - b[s]["grad_norm"]) / abs(a[s]["grad_norm"])
    worst = max(worst, d, n)
    print("%5d %13.8f %13.8f %10.2e %10.2e %11.0f %11.0f" % (s, a[s]["loss"], b[s]["loss"], d, n, a[s]["tokens_per_s"], b[s]["tokens_per_s"]))
late = [s for s in steps if s >= 2] or steps
t1 = statistics.median(a[s]["tokens_per_s"] for s in late)
t2 = statistics.median(b[s]["tokens_per_s"] for s in late)
print("%s: %d steps, worst relative difference (loss, grad norm) %.2e; median tokens/s (steps >= 2): 1 GPU %.0f, 2 GPUs %.0f, speed-up %.2fx"
      % (name, len(steps), worst, t1, t2, t2 / t1))
try:
    import numpy as np
    def tensors(d):
        raw = open(os.path.join(d, "model.safetensors"), "rb").read()
        n = struct.unpack("<Q", raw[:8])[0]
        head = json.loads(raw[8:8 + n])
        out = {}
        for k, v in head.items():
            if k == "__metadata__": continue
            lo, hi = v["data_offsets"]
            out[k] = np.frombuffer(raw[8 + n + lo: 8 + n + hi], dtype=np.float32).astype(np.float64)
        return out
    wa, wb = tensors(a_dir), tensors(b_dir)
    diff = sum(float(((wa[k] - wb[k]) ** 2).sum()) for k in wa)
    ref = sum(float((wa[k] ** 2).sum()) for k in wa)
    print("%s: final weights, relative difference 1 GPU vs 2 GPUs %.2e over %d tensors" % (name, (diff / ref) ** 0.5, len(wa)))
except ImportError:
    print("(numpy missing: final weights not compared)")
ok = len(steps) > 0 and worst <= tol
print("%s: %s (tolerance %.0e)" % (name, "OK" if ok else "MISMATCH", tol))
sys.exit(0 if ok else 1)
PY
}

pair parity small.json 256 8 "$PARITY_STEPS" 1e-5
# TF32 products are deterministic too, but a looser bound leaves room for 12 steps of growth.
pair speed large.json 1024 4 "$SPEED_STEPS" 1e-2 --precision bf16
echo "gpu-multi: exit status $status"
exit $status
