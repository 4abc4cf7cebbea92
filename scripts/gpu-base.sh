#!/usr/bin/env bash
# Pre-trains the shipped base models (models/cream-base-12m and models/cream-base-4m) on one GPU,
# from the repository root of a GPU machine with no Java or Maven:
#   scripts/gpu-pack.sh --lean .gpu-lean      (here: the runtime and the jar)
#   bash scripts/gpu-base.sh                  (there, with .gpu-lean and BOOKS carried)
# 1. synthetic retrieval documents (passkey, kv with short keys, LongChat-Lines; prompt/completion,
#    loss on the answer) of up to 512 tokens, counted in the 4K tokenizer of docs/base-recipe;
# 2. both models trained at the same time on that GPU: books + retrieval documents, window 512
#    (12m) and 256 (4m: the longer documents are left out), contiguous positions, no RoPE scaling,
#    bf16 autocast, fp32 master weights;
# 3. the in-window check (passkey, kv, lines at lengths up to each window), held-out perplexity;
# 4. each model exported as bf16 safetensors in shards of at most 15 MiB, scored by cream and by
#    Hugging Face transformers (hf_load_check.py): the same tokens and log-probabilities.
# Outputs under $OUT: the shards of each model, its small files (+ training log and metrics) in
# NAME-files.tgz, and base-results.tgz (logs, eval results). Work files in .gpu-work/ (kept while the machine is warm).
# Settings: BOOKS (default .gpu-data/books-train), HELDOUT (.gpu-data/books-heldout),
# STEPS_12M, STEPS_4M, SYNTH_COUNT (documents per task), TRAIN_LIMIT_S (train time limit).
set -uo pipefail
ROOT="$(pwd)"
HERE="$ROOT/.gpu-lean"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-base}"
W="$ROOT/.gpu-work"
BOOKS="${BOOKS:-$ROOT/.gpu-data/books-train}"
HELDOUT="${HELDOUT:-$ROOT/.gpu-data/books-heldout}"
RECIPE="$ROOT/docs/base-recipe"
TOK="$RECIPE/tokenizer.json"
STEPS_12M="${STEPS_12M:-4000}"
STEPS_4M="${STEPS_4M:-3000}"
SYNTH_COUNT="${SYNTH_COUNT:-25000}"
TRAIN_LIMIT_S="${TRAIN_LIMIT_S:-390}"
KV_KEYS_12M="${KV_KEYS_12M:?numbers of short-key records that fit 256 and 512 tokens}"
KV_KEYS_4M="${KV_KEYS_4M:?numbers of short-key records that fit 128 and 256 tokens}"
mkdir -p "$OUT" "$W/logs" "$W/data/synth"
cream() { cream_cli -XX:MaxRAMPercentage=30 "$@"; }
source "$ROOT/scripts/gpu-base-checks.sh" # evals, hf_check
t0=$SECONDS
nvidia-smi -L | tee "$W/logs/gpu.txt"

echo "== 1. synthetic retrieval documents ($SYNTH_COUNT per task)"
[[ -e "$W/data/books" ]] || cp -r "$BOOKS" "$W/data/books"
cream synth --task passkey --tokenizer "$TOK" --count "$SYNTH_COUNT" --min-tokens 1 --max-tokens 512 \
  --seed 1001 --out "$W/data/synth/passkey.jsonl.gz" > "$W/logs/synth-passkey.log" &
cream synth --task kv --kv-key short --tokenizer "$TOK" --count "$SYNTH_COUNT" --min-tokens 1 --max-tokens 512 \
  --seed 1002 --out "$W/data/synth/kv.jsonl.gz" > "$W/logs/synth-kv.log" &
cream synth --task lines --tokenizer "$TOK" --count "$SYNTH_COUNT" --min-tokens 1 --max-tokens 512 \
  --seed 1003 --out "$W/data/synth/lines.jsonl.gz" > "$W/logs/synth-lines.log" &
wait
cat "$W"/logs/synth-*.log
echo "synth done at $((SECONDS - t0)) s"

echo "== 2. pre-train both models (12m: $STEPS_12M steps of 128 × 512, 4m: $STEPS_4M steps of 256 × 256)"
train() { # name steps lr window batch
  timeout "$TRAIN_LIMIT_S" "${JAVA_RUN[@]}" -XX:MaxRAMPercentage=30 -cp "$CREAM_CP" io.cream.cli.Main train \
    --init "$ROOT/docs/configs/base-$1.json" --tokenizer "$TOK" --data "$W/data" \
    --window "$4" --method contiguous --rope none --steps "$2" --batch "$5" --lr "$3" --warmup 200 \
    --schedule cosine --weight-decay 0.1 --beta2 0.95 --clip 1.0 --seed 0 --save-every 1000 \
    --device cuda --precision bf16 --out "$W/train-$1" > "$W/logs/train-$1.log" 2>&1
  echo "train $1: exit $? at $((SECONDS - t0)) s"
}
train 12m "$STEPS_12M" 1.5e-3 512 128 &
sleep 20 # let the first run tokenize the books into the shared cache
train 4m "$STEPS_4M" 3e-3 256 256 &
wait
for m in 12m 4m; do
  tail -3 "$W/logs/train-$m.log"
  if [[ ! -f "$W/train-$m/config.json" ]]; then # stopped by the time limit: the newest checkpoint
    last="$(ls -d "$W/train-$m"/checkpoints/step-* 2>/dev/null | sort -t- -k2 -n | tail -1)"
    echo "train $m did not finish; shipping its newest checkpoint ${last:-NONE}"
    [[ -n "$last" ]] && cp -r "$last" "$W/train-$m/final"
  fi
done

echo "== 3. export (bf16, shards ≤ 15 MiB) and in-window evaluation"
for m in 12m 4m; do
  src="$W/train-$m"; [[ -f "$src/config.json" ]] || src="$W/train-$m/final"
  rm -rf "$W/ship/cream-base-$m"
  cream export hf --model "$src" --out "$W/ship/cream-base-$m" --dtype bfloat16 --max-shard-mib 15
  # Out at once: a call stopped by its time limit during the checks below still returns the models.
  for f in "$W/ship/cream-base-$m"/*.safetensors; do cp "$f" "$OUT/$m-$(basename "$f")"; done
  tar czf "$OUT/$m-files.tgz" -C "$W/ship" --exclude='*.safetensors' "cream-base-$m" \
    -C "$W" "train-$m/metrics.jsonl" logs/train-$m.log
done
evals 12m "$W/ship/cream-base-12m" 128,256,384,512 "$KV_KEYS_12M" 256,384,512 512 &
evals 4m "$W/ship/cream-base-4m" 128,192,256 "$KV_KEYS_4M" 256 256 &
wait
grep -h "acc\|perplexity\|ppl" "$W"/logs/eval-*.log | tail -40
echo "evals done at $((SECONDS - t0)) s"

echo "== 4. Hugging Face transformers loads what cream wrote"
for m in 12m 4m; do hf_check "$m" "$W/ship/cream-base-$m"; done

echo "== outputs"
tar czf "$OUT/base-results.tgz" -C "$W" logs eval
ls -la "$OUT"
echo "gpu-base: done in $((SECONDS - t0)) s"
