#!/usr/bin/env bash
# Runs the study of docs/results.md on one GPU: `cream compare` over docs/study/plan.json (8×) and
# docs/study/plan-f32.json (32×), several processes sharing each output folder (the models are
# small, so one process leaves the GPU mostly idle). From the repository root of a GPU machine:
#   scripts/gpu-pack.sh --lean .gpu-lean                    (here)
#   bash scripts/gpu-study.sh                               (there)
# Carried: .gpu-lean, the base model (BASE, default .gpu-data/models/cream-base-12m), fine-tuning
# books (FINETUNE, default .gpu-data/ft-books) and held-out books (HELDOUT, .gpu-data/books-heldout).
# Outputs under $OUT: study.tgz (plans, summaries, every results.json and finetune.json, fine-tune
# metrics, the models' config.json; no weights) and the logs, with the induction probe's output
# on the base and the first seed's fine-tunes (logs/induction-probe.txt). Settings: WORKERS_F8 (6), WORKERS_F32
# (2), LIMIT_S (time limit for all workers, default 530).
set -uo pipefail
ROOT="$(pwd)"
HERE="$ROOT/.gpu-lean"
source "$HERE/gpu-env.sh"
OUT="${OUT:-/tmp/gpu-study}"
W="$ROOT/.gpu-work"
BASE="${BASE:-$ROOT/.gpu-data/models/cream-base-12m}"
FINETUNE="${FINETUNE:-$ROOT/.gpu-data/ft-books}"
HELDOUT="${HELDOUT:-$ROOT/.gpu-data/books-heldout}"
WORKERS_F8="${WORKERS_F8:-6}"
WORKERS_F32="${WORKERS_F32:-2}"
LIMIT_S="${LIMIT_S:-530}"
mkdir -p "$OUT" "$W/logs"
t0=$SECONDS
nvidia-smi -L | tee "$W/logs/gpu.txt"

# The plans name ../../models/cream-base-12m and data/{finetune,heldout} beside them.
mkdir -p models docs/study/data
[[ -e models/cream-base-12m ]] || cp -r "$BASE" models/cream-base-12m
[[ -e docs/study/data/finetune ]] || cp -r "$FINETUNE" docs/study/data/finetune
[[ -e docs/study/data/heldout ]] || cp -r "$HELDOUT" docs/study/data/heldout

# transformers loads the base unchanged (scripts/hf_load_check.py; in logs/hf-check-base.json),
# checked beside the workers: its card cites this check.
cream() { cream_cli -XX:MaxRAMPercentage=8 "$@"; }
source "$ROOT/scripts/gpu-base-checks.sh"
hf_check base "$ROOT/models/cream-base-12m" > "$W/logs/hf-check-base.log" 2>&1 &

worker() { # plan out index
  timeout "$LIMIT_S" "${JAVA_RUN[@]}" -XX:MaxRAMPercentage=8 -cp "$CREAM_CP" io.cream.cli.Main compare "$1" --out "$2" \
    --device cuda --precision bf16 > "$W/logs/$(basename "$2")-$3.log" 2>&1
  echo "worker $(basename "$2")-$3: exit $? at $((SECONDS - t0)) s"
}
for i in $(seq 1 "$WORKERS_F8"); do worker docs/study/plan.json "$W/study-f8" "$i" & sleep 2; done
for i in $(seq 1 "$WORKERS_F32"); do worker docs/study/plan-f32.json "$W/study-f32" "$i" & sleep 2; done
wait
echo "workers done at $((SECONDS - t0)) s"
cat "$W/logs/hf-check-base.log"
for d in study-f8 study-f32; do
  [[ -f "$W/$d/summary.md" ]] && cat "$W/$d/summary.md" || echo "$d: no summary (unfinished units, see the logs)"
done
# The induction probe (docs/study/induction_probe.py) on the base and the first seed's fine-tunes,
# each with the scaling it was trained with: what their previous-token and induction heads do.
{
  python3 docs/study/induction_probe.py models/cream-base-12m --len 200 | tee "$W/probe-base.txt"
  # the base's heads (its "no scaling" row names them), followed in every fine-tune
  heads="$(grep '^no scaling' "$W/probe-base.txt" | grep -o 'L[0-9]*H[0-9]*' | paste -sd, -)"
  for m in "$W"/study-f8/runs/*/seed-0/model; do
    [[ -f "$m/config.json" ]] || continue
    cream rope --config "$m/config.json" > "$W/rope.json" \
      && python3 docs/study/induction_probe.py "$m" --len 200 --factors '' --heads "$heads" --rope "as trained=$W/rope.json"
  done
} > "$W/logs/induction-probe.txt" 2>&1
cat "$W/logs/induction-probe.txt"
(cd "$W" && find study-f8 study-f32 \( -name '*.json' -o -name '*.md' -o -name 'metrics.jsonl' \) \
  ! -path '*/checkpoints/*' ! -name 'model.safetensors.index.json' ! -name 'tokenizer*.json' -print0 \
  | tar czf "$OUT/study.tgz" --null -T - logs)
ls -la "$OUT"
echo "gpu-study: done in $((SECONDS - t0)) s"
