#!/usr/bin/env bash
# End-to-end on a GPU machine through the real command line (the jar run directly: the machine has
# no Maven), from the folder scripts/gpu-pack.sh filled (this script lies in it, with data/ holding
# a tokenizer.json and a few .txt.gz books):
#   1. ./cream train --init (a small config) ... --method cream --rope yarn --device cuda, and the same
#      run with --device cpu; their per-step losses are compared (both fp32: they should agree ~1e-5);
#   2. ./cream generate and ./cream eval passkey on the GPU-trained checkpoint with --device cuda.
# Logs go to $OUT (or /tmp/gpu-e2e); exit status 0 only when every step ran and the curves agree.
set -uo pipefail
HERE="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-e2e}"
WORK="${TMPDIR:-/tmp}/cream-e2e"
STEPS="${E2E_STEPS:-20}"
mkdir -p "$OUT" "$WORK"
cream() { cream_cli -XX:MaxRAMPercentage=60 "$@"; }

# A small Llama with the tokenizer's vocabulary: 4 layers, GQA 8:4, head dim 32, window 256.
cat > "$WORK/config.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 256,
 "intermediate_size": 688, "num_hidden_layers": 4, "num_attention_heads": 8,
 "num_key_value_heads": 4, "head_dim": 32, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
 "max_position_embeddings": 256, "vocab_size": 32000, "tie_word_embeddings": false,
 "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02}
JSON
mkdir -p "$WORK/books"
cp "$HERE"/data/*.txt.gz "$WORK/books/"
status=0
for dev in cuda cpu; do
  rm -rf "$WORK/run-$dev"
  echo "== train --device $dev"
  start=$SECONDS
  cream train --init "$WORK/config.json" --tokenizer "$HERE/data/tokenizer.json" --data "$WORK/books" \
    --window 256 --factor 8 --method cream --rope yarn --steps "$STEPS" --batch 8 --lr 3e-4 --warmup 2 \
    --seed 1 --device "$dev" --out "$WORK/run-$dev" | tee "$OUT/train-$dev.log" | tail -4
  [[ -f "$WORK/run-$dev/config.json" ]] || { echo "gpu-e2e: train --device $dev wrote no checkpoint"; status=1; }
  echo "train --device $dev: $((SECONDS - start)) s wall"
  cp "$WORK/run-$dev/metrics.jsonl" "$OUT/metrics-$dev.jsonl" 2>/dev/null
done

echo "== generate --device cuda"
cream generate --model "$WORK/run-cuda" --prompt "It is a truth universally acknowledged, that" \
  --max-new-tokens 40 --device cuda | tee "$OUT/generate.log" || status=1
echo "== eval passkey --device cuda"
cream eval passkey --model "$WORK/run-cuda" --out "$WORK/eval-passkey" --lengths 256,1k,2k \
  --samples 2 --device cuda | tee "$OUT/passkey.log" | tail -4
if [[ ! -f "$WORK/eval-passkey/results.json" ]]; then
  echo "gpu-e2e: eval wrote no results.json"; status=1
elif [[ -s "$WORK/eval-passkey/chart.png" ]]; then
  echo "gpu-e2e: eval ran on the GPU and wrote results.json and chart.png"
else
  # eval draws chart.png with Java2D, which needs fontconfig fonts; bare GPU images have none.
  echo "gpu-e2e: eval ran on the GPU and wrote results.json; chart.png failed (fonts?)"
fi

echo "== loss curves, cpu vs cuda"
python3 - "$OUT/metrics-cpu.jsonl" "$OUT/metrics-cuda.jsonl" <<'PY' || status=1
import json, sys
rows = [[json.loads(l) for l in open(f) if l.strip()] for f in sys.argv[1:3]]
cpu, gpu = ({r["step"]: r for r in rs} for rs in rows)
steps = sorted(set(cpu) & set(gpu))
print("%5s %12s %12s %10s %10s %12s %12s" % ("step", "loss cpu", "loss cuda", "rel diff", "norm diff", "tok/s cpu", "tok/s cuda"))
worst = 0
for s in steps:
    a, b = cpu[s]["loss"], gpu[s]["loss"]
    d = abs(a - b) / abs(a)
    n = abs(cpu[s]["grad_norm"] - gpu[s]["grad_norm"]) / abs(cpu[s]["grad_norm"])
    worst = max(worst, d)
    print("%5d %12.6f %12.6f %10.2e %10.2e %12.0f %12.0f" % (s, a, b, d, n, cpu[s]["tokens_per_s"], gpu[s]["tokens_per_s"]))
ok = len(steps) > 0 and worst <= 1e-4
print("steps compared: %d, worst relative loss difference %.2e -> %s" % (len(steps), worst, "OK" if ok else "MISMATCH"))
sys.exit(0 if ok else 1)
PY
echo "gpu-e2e: exit status $status"
exit $status
