# Sourced by gpu-base.sh and gpu-base-recall.sh after they define cream(), W and HELDOUT: the checks
# a base model gets in its window, and the check that transformers loads what cream wrote.
# EVAL_SAMPLES (default 20: passkey and kv cells; lines takes twice as many), PPL_SAMPLES (16),
# DEVICE (cuda).
EVAL_SAMPLES="${EVAL_SAMPLES:-20}"
PPL_SAMPLES="${PPL_SAMPLES:-16}"
DEVICE="${DEVICE:-cuda}"

# evals NAME MODEL passkey-lengths kv-keys lines-lengths ppl-length: results in $W/eval/NAME
evals() {
  local M="$2" E="$W/eval/$1"
  cream eval passkey --model "$M" --out "$E/passkey" --lengths "$3" --depths 0,25,50,75,100 \
    --samples "$EVAL_SAMPLES" --device "$DEVICE" > "$W/logs/eval-$1-passkey.log"
  cream eval kv --kv-key short --model "$M" --out "$E/kv" --keys "$4" --samples "$EVAL_SAMPLES" \
    --device "$DEVICE" > "$W/logs/eval-$1-kv.log"
  cream eval lines --model "$M" --out "$E/lines" --lengths "$5" --samples "$((2 * EVAL_SAMPLES))" \
    --device "$DEVICE" > "$W/logs/eval-$1-lines.log"
  cream eval ppl --model "$M" --out "$E/ppl" --data "$HELDOUT" --lengths "$6" --samples "$PPL_SAMPLES" \
    --device "$DEVICE" > "$W/logs/eval-$1-ppl.log"
}

# hf_check NAME MODEL: cream's and transformers' log-probabilities of 256 tokens of a held-out book
# (scripts/hf_load_check.py), logged to $W/logs/hf-check-NAME.json
hf_check() {
  python3 - "$HELDOUT" "$W/score.txt" <<'PY'
import gzip, pathlib, sys
doc = sorted(pathlib.Path(sys.argv[1]).rglob("*.txt.gz"))[0]
pathlib.Path(sys.argv[2]).write_text(gzip.open(doc, "rt", encoding="utf-8").read()[:3000], encoding="utf-8")
PY
  cream score --model "$2" --text-file "$W/score.txt" --max-tokens 256 > "$W/score-$1.json"
  python3 "$ROOT/scripts/hf_load_check.py" "$2" "$W/score-$1.json" "$W/score.txt" --json "$W/logs/hf-check-$1.json"
}
