#!/usr/bin/env python3
"""A checkpoint cream wrote, loaded unchanged by Hugging Face transformers.

Loads MODEL_DIR with AutoTokenizer and AutoModelForCausalLM.from_pretrained (weights as stored,
computed in float32 on the CPU), and compares with `cream score --format json` output for the same
text (TEXT_FILE, scored into SCORE_JSON): the token ids must be identical and the per-token log-probabilities close
(max |Δ| ≤ --tol). Prints one summary line; exit 1 on a mismatch.

Usage: hf_load_check.py MODEL_DIR SCORE_JSON TEXT_FILE [--tol 2e-3] [--json OUT.json]
"""
import argparse
import json
import os
import sys

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
import torch  # noqa: E402
import transformers  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("score_json")
    ap.add_argument("text_file")
    ap.add_argument("--tol", type=float, default=2e-3)
    ap.add_argument("--json")
    a = ap.parse_args()
    ours = json.load(open(a.score_json))
    tok = transformers.AutoTokenizer.from_pretrained(a.model)
    model = transformers.AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32)
    model.eval()
    ids = ours["tokens"]
    hf_ids = tok(open(a.text_file, encoding="utf-8").read())["input_ids"][: len(ids)]
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0].float()
    lp = torch.log_softmax(logits, dim=-1)
    hf = [lp[i, ids[i + 1]].item() for i in range(len(ids) - 1)]
    diff = max(abs(x - y) for x, y in zip(hf, ours["logprobs"][1:]))  # [0] is null: no context
    same_ids = hf_ids == ids
    ok = diff <= a.tol and same_ids
    out = {"model": a.model, "transformers": transformers.__version__, "tokens": len(ids),
           "tokenizer_ids_equal": same_ids, "max_abs_logprob_diff": diff, "tol": a.tol,
           "hf_mean_nll": -sum(hf) / len(hf), "cream_mean_nll": ours["mean_nll"], "ok": ok}
    print("hf_load_check: " + json.dumps(out))
    if a.json:
        json.dump(out, open(a.json, "w"), indent=1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
