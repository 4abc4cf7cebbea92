"""Why linear interpolation costs a small model its retrieval: an induction probe.

A Llama checkpoint (Hugging Face safetensors, bf16 or fp32; run in float64 with numpy) reads
[BOS] X X, X a random string of hex-digit tokens (or a passage of real text). On the second X the
next token is always a copy, and a model copies with two heads: a previous-token head (at t it
looks at t-1) and an induction head (at t it looks at the token after the earlier occurrence of
token t, at t-|X|+1). For each way of dividing the RoPE frequencies by f — every pair (linear
interpolation), only the pairs that turn less than once in the window ("slow", what YaRN-type
scalings interpolate), or only the others ("fast") — it prints the copy accuracy and the attention
the previous-token and induction heads (those that do it best without scaling) give their targets.

  python3 docs/study/induction_probe.py MODEL_DIR [--len 100] [--seeds 5] [--factors 2,8]
                                        [--rope LABEL=ROPE.json]... [--source hex|random|IDS.json]
                                        [--heads L2H1,L3H0] [--check SCORE.json]

--heads names the previous-token and induction heads to follow (layer and head, from 0); by default
those that do it best without scaling, which for a fine-tuned model may not be its base's.

--rope adds a scaling exactly as cream computes it: ROPE.json is the output of `./cream rope`
(e.g. `--type yarn-revised --factor 8 --head-dim 64 --base 500 --original-max 256`, or `--config
MODEL_DIR/config.json` for the scaling a fine-tuned model was trained with).

--check compares the probe's own forward with `cream score` output (the JSON of
`./cream score --model MODEL_DIR --text-file F`) and stops: the probe is a second implementation
of the model, so check it before trusting it. Needs only numpy.
"""
import argparse, glob, json, struct
import numpy as np


def load(model_dir):
    weights = {}
    for path in sorted(glob.glob(f"{model_dir}/*.safetensors")):
        data = open(path, "rb").read()
        header_len = struct.unpack("<Q", data[:8])[0]
        header = json.loads(data[8:8 + header_len])
        for name, t in header.items():
            if name == "__metadata__":
                continue
            a, b = t["data_offsets"]
            raw = data[8 + header_len + a: 8 + header_len + b]
            if t["dtype"] == "BF16":  # bf16 is the top half of a float32
                x = (np.frombuffer(raw, np.uint16).astype(np.uint32) << 16).view(np.float32)
            else:
                x = np.frombuffer(raw, np.float32)
            weights[name] = x.reshape(t["shape"]).astype(np.float64)
    return weights, json.load(open(f"{model_dir}/config.json"))


def rms_norm(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def forward(w, cfg, ids, inv_freq, attention_factor=1.0):
    """Logits and every layer's attention probabilities [heads, T, T] (Hugging Face's Llama; the
    attention factor multiplies cos and sin, as transformers applies YaRN's)."""
    heads, hd, T = cfg["num_attention_heads"], cfg["head_dim"], len(ids)
    kv_heads = cfg.get("num_key_value_heads", heads)
    angle = np.arange(T)[:, None] * np.concatenate([inv_freq, inv_freq])[None, :]
    cos, sin = np.cos(angle) * attention_factor, np.sin(angle) * attention_factor
    rope = lambda t: t * cos + np.concatenate([-t[..., hd // 2:], t[..., :hd // 2]], -1) * sin
    causal = np.triu(np.full((T, T), -np.inf), 1)
    x, attentions = w["model.embed_tokens.weight"][ids], []
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], cfg["rms_norm_eps"])
        split = lambda m, n: (h @ w[p + m].T).reshape(T, n, hd).transpose(1, 0, 2)
        q, k, v = split("self_attn.q_proj.weight", heads), split("self_attn.k_proj.weight", kv_heads), split("self_attn.v_proj.weight", kv_heads)
        k, v = np.repeat(k, heads // kv_heads, 0), np.repeat(v, heads // kv_heads, 0)
        s = rope(q) @ rope(k).transpose(0, 2, 1) / np.sqrt(hd) + causal
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        attentions.append(a)
        x = x + (a @ v).transpose(1, 0, 2).reshape(T, heads * hd) @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], cfg["rms_norm_eps"])
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        x = x + (gate / (1 + np.exp(-gate)) * (h @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], cfg["rms_norm_eps"])
    return x @ w.get("lm_head.weight", w["model.embed_tokens.weight"]).T, attentions


def log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def hex_token_ids(model_dir):
    vocab = json.load(open(f"{model_dir}/tokenizer.json"))["model"]["vocab"]
    return [vocab[c] for c in "0123456789abcdef"]


def check(w, cfg, inv_freq, score_json):
    s = json.load(open(score_json))
    ids = np.array(s["tokens"])
    lp = log_softmax(forward(w, cfg, ids, inv_freq)[0])
    mine = np.array([lp[i, ids[i + 1]] for i in range(len(ids) - 1)])
    diff = np.abs(mine - np.array(s["logprobs"][1:], dtype=float)).max()
    print(f"largest difference from cream score over {len(mine)} tokens: {diff:.2e}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--len", type=int, default=100)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--factors", default="2,8")
    ap.add_argument("--rope", action="append", default=[])
    ap.add_argument("--source", default="hex")
    ap.add_argument("--heads")
    ap.add_argument("--check")
    args = ap.parse_args()
    w, cfg = load(args.model)
    hd, window = cfg["head_dim"], cfg["max_position_embeddings"]
    inv_freq = cfg["rope_theta"] ** (-np.arange(0, hd, 2) / hd)
    if args.check:
        return check(w, cfg, inv_freq, args.check)
    slow = 2 * np.pi / inv_freq > window
    L = args.len
    print(f"{args.model}: {len(inv_freq)} frequency pairs, {slow.sum()} turn less than once in its window of "
          f"{window}; [BOS] X X, |X| = {L} {args.source} tokens, {args.seeds} samples")
    hex_ids = hex_token_ids(args.model)
    variants = [("no scaling", inv_freq, 1.0)]
    for f in (int(x) for x in args.factors.split(",") if x):
        variants += [(f"f={f}, all pairs", inv_freq / f, 1.0),
                     (f"f={f}, slow pairs", np.where(slow, inv_freq / f, inv_freq), 1.0),
                     (f"f={f}, fast pairs", np.where(slow, inv_freq, inv_freq / f), 1.0)]
    for spec in args.rope:
        label, path = spec.rsplit("=", 1)
        r = json.load(open(path))
        variants.append((label, np.array(r["inv_freq"]), r.get("attention_factor", 1.0)))
    heads = None
    if args.heads:
        heads = tuple(tuple(int(x) for x in h.upper().lstrip("L").split("H")) for h in args.heads.split(","))
    print(f"{'RoPE':22s} {'copy top-1':>10s}  {'prev-token head':>15s}  {'induction head':>14s}")
    for label, freq, attention_factor in variants:
        copied, prev, induction = [], [], []
        for seed in range(args.seeds):
            rng = np.random.default_rng(seed)
            if args.source == "hex":
                x = rng.choice(hex_ids, L)
            elif args.source == "random":
                x = rng.integers(100, cfg["vocab_size"], L)
            else:
                text = json.load(open(args.source))[1:]
                start = rng.integers(0, len(text) - L)
                x = np.array(text[start:start + L])
            ids = np.concatenate([[cfg.get("bos_token_id", 1)], x, x])
            logits, attentions = forward(w, cfg, ids, freq, attention_factor)
            t = np.arange(L + 1, 2 * L)  # inside the second X, where the next token is a copy
            copied.append((logits[t].argmax(-1) == ids[t + 1]).mean())
            prev.append([a[:, t, t - 1].mean(-1) for a in attentions])
            induction.append([a[:, t, t - L + 1].mean(-1) for a in attentions])
        prev, induction = np.mean(prev, 0), np.mean(induction, 0)
        if heads is None:  # the heads that do the job without scaling, followed under every variant
            heads = np.unravel_index(prev.argmax(), prev.shape), np.unravel_index(induction.argmax(), induction.shape)
        (pl, ph), (il, ih) = heads
        print(f"{label:22s} {np.mean(copied):10.1%}  {prev[pl, ph]:7.2f} (L{pl}H{ph})  {induction[il, ih]:6.2f} (L{il}H{ih})")


if __name__ == "__main__":
    main()
