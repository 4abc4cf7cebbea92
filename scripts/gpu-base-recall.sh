#!/usr/bin/env bash
# Second stage of the shipped base models: continues models/cream-base-12m and models/cream-base-4m
# (pre-trained by scripts/gpu-base.sh) on retrieval documents, so that they learn associative recall
# (key-value, LongChat-Lines) inside their windows, not only passkey. Why a stage of its own: in
# pre-training the loss is the mean over every trained token, so a 512-token book window outweighs a
# retrieval document's ~6 answer tokens a hundred to one, and key-value recall stayed near chance.
# Two stages: A) key-value documents of 1–3 records only (≤ 128 tokens): on the CPU this made the 4m
# base's key matching form within 400 steps × 32 (2 records 45% → 90%/70% by gold position, 3 records
# 15–50% → 65–80%), where 400 steps on documents of every length up to 256 tokens had left it at
# chance; B) the three retrieval tasks at every length up to the window, plus one book (about a
# third of the trained tokens, to keep the language model).
# Measured (2026-12-07, H100): stage A, having no text, cost the 4m base its language model
# (held-out perplexity 21 → 341) and one book in stage B did not bring it back; the shipped 4m had a
# third stage on 28 books (its MODEL_CARD.md). A run with STEPS_A=0, FROM_* and BOOK set to many
# books is that stage on the GPU.
# From the repository root of a GPU machine with no Java or Maven:
#   scripts/gpu-pack.sh --lean .gpu-lean      (here: the runtime and the jar)
#   bash scripts/gpu-base-recall.sh           (there, with .gpu-lean, BOOK and HELDOUT carried)
# BOOK here: mkdir -p .gpu-data/recall-book && cp ../shared/data/corpus/austen/prideprejudice.txt.gz .gpu-data/recall-book/
# HELDOUT: the corpus's validation documents (../shared/data/corpus/VALIDATION.txt), as for gpu-base.sh.
# Trains up to three candidates at once on the GPU (12m at two learning rates, 4m at one), then
# evaluates each in its window, exports bf16 shards of ≤ 15 MiB and checks them with transformers.
# Outputs under $OUT: each candidate's shards and small files (NAME-*), recall-results.tgz (logs,
# evals, metrics). Settings: BOOK (a folder of .txt.gz books, default .gpu-data/recall-book), STEPS, BATCH_12M,
# BATCH_4M, LRS_12M (space-separated; set but empty: the 4m alone), LR_4M (set but empty: the 12m alone),
# SYNTH_COUNT (documents per task and window; PASSKEY_COUNT, LINES_COUNT override it), KV_LONG_COUNT, TRAIN_LIMIT_S, STEPS_A, BATCH_A,
# TRAIN_A_LIMIT_S (stage A; STEPS_A=0 skips it), KV_KEYS_12M, KV_KEYS_4M, WARMUP, EVAL_SAMPLES,
# DEVICE, FROM_12M and FROM_4M (the models to continue, default models/cream-base-12m and -4m),
# SEED (of the documents, default 2000).
set -uo pipefail
ROOT="$(pwd)"
HERE="$ROOT/.gpu-lean"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-recall}"
W="$ROOT/.gpu-work"
BOOK="${BOOK:-$ROOT/.gpu-data/recall-book}"
HELDOUT="${HELDOUT:-$ROOT/.gpu-data/books-heldout}"
TOK="$ROOT/docs/base-recipe/tokenizer.json"
STEPS="${STEPS:-2000}"
STEPS_A="${STEPS_A:-800}"
BATCH_A="${BATCH_A:-128}"
TRAIN_A_LIMIT_S="${TRAIN_A_LIMIT_S:-120}"
WARMUP="${WARMUP:-100}"
BATCH_12M="${BATCH_12M:-96}"
BATCH_4M="${BATCH_4M:-128}"
LRS_12M="${LRS_12M-1e-3 5e-4}" # set but empty: no 12m candidate
LR_4M="${LR_4M-1e-3}" # set but empty: no 4m candidate
SYNTH_COUNT="${SYNTH_COUNT:-25000}"
PASSKEY_COUNT="${PASSKEY_COUNT:-$SYNTH_COUNT}"
LINES_COUNT="${LINES_COUNT:-$SYNTH_COUNT}"
KV_LONG_COUNT="${KV_LONG_COUNT:-0}" # more key-value documents, from half the window to all of it (the many-key cells)
TRAIN_LIMIT_S="${TRAIN_LIMIT_S:-300}"
KV_KEYS_12M="${KV_KEYS_12M:-10,24}"
KV_KEYS_4M="${KV_KEYS_4M:-5,10}"
FROM_12M="${FROM_12M:-$ROOT/models/cream-base-12m}"
FROM_4M="${FROM_4M:-$ROOT/models/cream-base-4m}"
SEED="${SEED:-2000}"
mkdir -p "$OUT" "$W/logs"
cream() { cream_cli -XX:MaxRAMPercentage=20 "$@"; }
source "$ROOT/scripts/gpu-base-checks.sh" # evals, hf_check; EVAL_SAMPLES, PPL_SAMPLES, DEVICE
t0=$SECONDS
nvidia-smi -L | tee "$W/logs/gpu.txt"

if [[ -f "$CLASSDIR/junit-console.jar" && -d "$CLASSDIR/test-classes" ]]; then
  # With the tests in the pack (gpu-pack.sh --lean --tests): the bf16 training path this run relies
  # on, checked while the CPUs write the documents (GPU tests, then logits and gradients against
  # transformers); logs in recall-results.tgz.
  TESTS=1 BENCH_SECONDS=0 OUT="$W/logs/check" \
    CLASSES="CudaBf16TrainingPassTest CudaBf16TrainingStepTest CudaBf16LinearTest CudaTrainingStepTest CudaOffloadOpsTest CudaAdamWTest" \
    bash "$HERE/gpu-check.sh" > "$W/logs/check.log" 2>&1 &
fi
echo "== 1. retrieval documents ($SYNTH_COUNT per task and window) and the book"
wins=(); [[ -n "${LRS_12M// }" ]] && wins+=(512); [[ -n "$LR_4M" ]] && wins+=(256) # only for the models that train
for win in "${wins[@]}"; do
  D="$W/recall-data-$win"
  mkdir -p "$D/synth" "$D/books"
  cp -r "$BOOK"/. "$D/books/"
  seed=$((SEED + win))
  cream synth --task passkey --tokenizer "$TOK" --count "$PASSKEY_COUNT" --min-tokens 1 --max-tokens "$win" \
    --seed $((seed + 1)) --out "$D/synth/passkey.jsonl.gz" > "$W/logs/synth-$win-passkey.log" &
  cream synth --task kv --kv-key short --tokenizer "$TOK" --count "$SYNTH_COUNT" --min-tokens 1 --max-tokens "$win" \
    --seed $((seed + 2)) --out "$D/synth/kv.jsonl.gz" > "$W/logs/synth-$win-kv.log" &
  cream synth --task lines --tokenizer "$TOK" --count "$LINES_COUNT" --min-tokens 1 --max-tokens "$win" \
    --seed $((seed + 3)) --out "$D/synth/lines.jsonl.gz" > "$W/logs/synth-$win-lines.log" &
  if ((KV_LONG_COUNT > 0)); then
    cream synth --task kv --kv-key short --tokenizer "$TOK" --count "$KV_LONG_COUNT" --min-tokens $((win / 2)) \
      --max-tokens "$win" --seed $((seed + 4)) --out "$D/synth/kv-long.jsonl.gz" > "$W/logs/synth-$win-kv-long.log" &
  fi
done
if ((STEPS_A > 0)); then
  mkdir -p "$W/recall-data-short"
  cream synth --task kv --kv-key short --tokenizer "$TOK" --count "$SYNTH_COUNT" --min-tokens 1 --max-tokens 128 \
    --seed $((SEED + 1)) --out "$W/recall-data-short/kv.jsonl.gz" > "$W/logs/synth-short-kv.log" &
fi
wait
cat "$W"/logs/synth-*.log
[[ -f "$W/logs/check.log" ]] && { echo "-- GPU check"; grep -E "✘|tests (successful|failed)|TOTAL|exceeds|FAIL|max|gpu-check:" "$W/logs/check.log" | head -40; }
echo "synth done at $((SECONDS - t0)) s"

echo "== 2. continue the bases: A) key-value with 1–3 records ($STEPS_A steps × $BATCH_A × 128), B) every task up to the window ($STEPS steps; 12m: lr $LRS_12M, batch $BATCH_12M × 512; 4m: lr $LR_4M, batch $BATCH_4M × 256)"
train() { # out model data window batch lr steps limit-s
  timeout "$8" "${JAVA_RUN[@]}" -XX:MaxRAMPercentage=20 -cp "$CREAM_CP" io.cream.cli.Main train \
    --model "$2" --data "$3" --window "$4" --method contiguous --rope none --steps "$7" --batch "$5" \
    --lr "$6" --warmup "$WARMUP" --schedule cosine --weight-decay 0.1 --beta2 0.95 --clip 1.0 --seed 0 \
    --save-every 250 --device "$DEVICE" --precision bf16 --out "$1" > "$W/logs/$(basename "$1").log" 2>&1
  echo "$(basename "$1"): exit $? at $((SECONDS - t0)) s"
}
finished() { # a training folder's model: the finished one, else its newest checkpoint (time limit)
  if [[ -f "$1/config.json" ]]; then echo "$1"; return; fi
  ls -d "$1"/checkpoints/step-* 2>/dev/null | sort -t- -k2 -n | tail -1
}
curriculum() { # name base window batch lr
  local a="$2"
  if ((STEPS_A > 0)); then
    train "$W/train-$1-a" "$2" "$W/recall-data-short" 128 "$BATCH_A" "$5" "$STEPS_A" "$TRAIN_A_LIMIT_S"
    a="$(finished "$W/train-$1-a")"
    [[ -n "$a" ]] || { echo "$1: stage A left no model"; return; }
  fi
  train "$W/train-$1" "$a" "$W/recall-data-$3" "$3" "$4" "$5" "$STEPS" "$TRAIN_LIMIT_S"
}
names=()
for lr in $LRS_12M; do names+=("12m-lr$lr"); curriculum "12m-lr$lr" "$FROM_12M" 512 "$BATCH_12M" "$lr" & sleep 15; done
if [[ -n "$LR_4M" ]]; then names+=("4m-lr$LR_4M"); curriculum "4m-lr$LR_4M" "$FROM_4M" 256 "$BATCH_4M" "$LR_4M" & fi
wait
for n in "${names[@]}"; do
  tail -2 "$W/logs/train-$n.log"
  m="$(finished "$W/train-$n")"
  if [[ "$m" != "$W/train-$n" ]]; then # stopped by the time limit: the newest checkpoint
    echo "train $n did not finish; using its newest checkpoint ${m:-NONE}"
    [[ -n "$m" ]] && cp -r "$m" "$W/train-$n/final"
  fi
done

echo "== 3. export (bf16, shards ≤ 15 MiB) and in-window evaluation"
for n in "${names[@]}"; do
  src="$W/train-$n"; [[ -f "$src/config.json" ]] || src="$W/train-$n/final"
  rm -rf "$W/ship/$n"
  cream export hf --model "$src" --out "$W/ship/$n" --dtype bfloat16 --max-shard-mib 15
  case "$n" in
    12m*) evals "$n" "$W/ship/$n" 128,256,384,512 "$KV_KEYS_12M" 256,384,512 512 & ;;
    4m*) evals "$n" "$W/ship/$n" 128,192,256 "$KV_KEYS_4M" 256 256 & ;; # lines: its template alone is ~233 tokens
  esac
done
wait
for n in "${names[@]}"; do echo "-- $n"; grep -h "acc\|perplexity\|ppl" "$W"/logs/eval-"$n"-*.log | tail -20; done
echo "evals done at $((SECONDS - t0)) s"

echo "== 4. Hugging Face transformers loads what cream wrote; the models out"
# The 12m candidate with the best mean key-value accuracy (then lines) goes out with its shards;
# the others only with their scores (a call returns at most 8 files).
best12="$(python3 - "$W/eval" <<'PY'
import json, pathlib, sys
def mean(run, task):
    f = pathlib.Path(sys.argv[1], run, task, "results.json")
    if not f.exists(): return -1.0
    cells = json.loads(f.read_text())["cells"]
    return sum(c["accuracy"] for c in cells) / len(cells)
runs = [p.name for p in pathlib.Path(sys.argv[1]).iterdir() if p.name.startswith("12m")] or ["none"]
print(max(runs, key=lambda r: (mean(r, "kv"), mean(r, "lines"))))
PY
)"
echo "best 12m candidate: $best12"
for n in "${names[@]}"; do
  hf_check "$n" "$W/ship/$n"
  if [[ "$n" == "$best12" || "$n" == 4m* ]]; then
    for f in "$W/ship/$n"/*.safetensors; do cp "$f" "$OUT/$n-$(basename "$f")"; done
    tar czf "$OUT/$n-files.tgz" -C "$W/ship" --exclude='*.safetensors' "$n" -C "$W" "train-$n/metrics.jsonl" $( ((STEPS_A > 0)) && echo "train-$n-a/metrics.jsonl")
  fi
done
(cd "$W" && tar czf logs/train-metrics.tgz train-*/metrics.jsonl)
tar czf "$OUT/recall-results.tgz" -C "$W" logs eval
ls -la "$OUT"
echo "gpu-base-recall: done in $((SECONDS - t0)) s"
