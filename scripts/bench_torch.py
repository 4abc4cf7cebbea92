#!/usr/bin/env python3
"""The PyTorch + transformers side of `cream bench train` and `cream bench infer`, same shapes.

  bench_torch.py train --model tinyllama-1.1b --seq 4096 --batch 2 [--precision amp|bf16]
                       [--recompute] [--steps 5] [--warmup 2] [--profile]
  bench_torch.py infer --model tinyllama-1.1b --prefill 32768 --decode 64 [--dtype bf16|fp32]
  bench_torch.py gemm   torch's bf16 products on the shapes of cream's GemmBench (test classes):
                        a TinyLlama step's linear layers on 16,384 tokens, forward y = x·Wᵀ,
                        dX = dY·W and dW = dYᵀ·X, bf16 in and out as under amp; TFLOP/s, median of
                        20 after a warm-up, CUDA events around each product

Random weights from the config (transformers' own init), random tokens, sdpa attention, fused
AdamW (lr 1e-5), gradient clipping at 1.0, loss = mean token cross-entropy. --precision amp keeps
fp32 master weights and runs matmuls under bf16 autocast (16 bytes/param with AdamW, like cream's
fp32 weights + moments); bf16 stores weights, gradients and AdamW moments in bf16 (8 bytes/param).
MFU uses the same model-FLOP count as cream (6·P_matmul·tokens + causal attention, no
recomputation counted) over the card's dense bf16 peak (989.4 TFLOP/s for H100 SXM / H200).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

SHAPES = {
    "tinyllama-1.1b": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22,
                           num_attention_heads=32, num_key_value_heads=4, vocab_size=32000,
                           max_position_embeddings=2048, rope_theta=10000.0, tie_word_embeddings=False),
    "llama2-7b": dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                      num_attention_heads=32, num_key_value_heads=32, vocab_size=32000,
                      max_position_embeddings=4096, rope_theta=10000.0, tie_word_embeddings=False),
    "llama3.2-1b": dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                        num_attention_heads=32, num_key_value_heads=8, vocab_size=128256,
                        max_position_embeddings=131072, rope_theta=500000.0, tie_word_embeddings=True),
}


def peak_tflops(name):
    if "H100" in name and "PCIe" in name:
        return 756.0
    return 989.4 if ("H100" in name or "H200" in name) else float("nan")


def config_of(name):
    s = SHAPES[name]
    cfg = LlamaConfig(**s, rms_norm_eps=1e-5, head_dim=s["hidden_size"] // s["num_attention_heads"])
    cfg._attn_implementation = "sdpa"
    cfg.use_cache = False
    return cfg


def matmul_params(cfg):
    h, f, L, V = cfg.hidden_size, cfg.intermediate_size, cfg.num_hidden_layers, cfg.vocab_size
    d = h // cfg.num_attention_heads
    q, kv = cfg.num_attention_heads * d, cfg.num_key_value_heads * d
    per_layer = h * q + 2 * h * kv + q * h + 3 * h * f
    return L * per_layer + V * h  # lm_head (the embedding is a lookup unless tied, then it is this)


def train_flops(cfg, batch, seq):
    q = cfg.num_attention_heads * (cfg.hidden_size // cfg.num_attention_heads)
    return 6.0 * matmul_params(cfg) * batch * seq + 3 * 2.0 * seq * seq * q * cfg.num_hidden_layers * batch


def make_model(cfg, dtype):
    torch.set_default_dtype(dtype)
    with torch.device("cuda"):
        model = LlamaForCausalLM(cfg)
    torch.set_default_dtype(torch.float32)
    return model


def train(a):
    cfg = config_of(a.model)
    model = make_model(cfg, torch.bfloat16 if a.precision == "bf16" else torch.float32)
    if a.recompute:
        model.gradient_checkpointing_enable()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    ids = torch.randint(0, cfg.vocab_size, (a.batch, a.seq), device="cuda")

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=a.precision == "amp"):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    for _ in range(a.warmup):
        step()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1e3)
    med = statistics.median(times)
    tokens = a.batch * a.seq
    tf = train_flops(cfg, a.batch, a.seq) / (med / 1e3) / 1e12
    name = torch.cuda.get_device_name()
    res = dict(model=a.model, device=name, batch=a.batch, seq=a.seq, precision=a.precision, recompute=a.recompute,
               step_ms_median=med, tokens_per_s=tokens / (med / 1e3), model_tflops=tf,
               mfu=tf / peak_tflops(name), peak_gib=torch.cuda.max_memory_allocated() / 2**30)
    print("torch train: %s on %s, %s%s, batch %d x %d: step median %.1f ms, %.0f tokens/s, %.1f model TFLOP/s,"
          " MFU %.1f%%, peak allocated %.2f GiB" % (a.model, name, a.precision, ", recompute" if a.recompute else "",
                                                   a.batch, a.seq, med, res["tokens_per_s"], tf, 100 * res["mfu"],
                                                   res["peak_gib"]))
    if a.profile:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step()
            torch.cuda.synchronize()
        print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=12, max_name_column_width=60))
    return res


def infer(a):
    cfg = config_of(a.model)
    cfg.use_cache = True
    dtype = torch.bfloat16 if a.dtype == "bf16" else torch.float32
    model = make_model(cfg, dtype).eval()
    prompt = torch.randint(0, cfg.vocab_size, (1, a.prefill), device="cuda")

    def forward(ids, past=None):
        try:
            return model(input_ids=ids, past_key_values=past, use_cache=True, logits_to_keep=1)
        except TypeError:
            return model(input_ids=ids, past_key_values=past, use_cache=True)

    with torch.no_grad():
        forward(prompt[:, :2048])  # warm-up
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        t0 = time.perf_counter()
        out = forward(prompt)
        torch.cuda.synchronize()
        prefill = (time.perf_counter() - t0) * 1e3
        past = out.past_key_values
        nxt = out.logits[:, -1].argmax(-1, keepdim=True)
        t1 = time.perf_counter()
        for _ in range(a.decode):
            out = forward(nxt, past)
            past = out.past_key_values
            nxt = out.logits[:, -1].argmax(-1, keepdim=True)
        torch.cuda.synchronize()
        decode = a.decode / (time.perf_counter() - t1)
    res = dict(model=a.model, dtype=a.dtype, prefill=a.prefill, prefill_ms=prefill, decode_tokens_per_s=decode,
               peak_gib=torch.cuda.max_memory_allocated() / 2**30)
    print("torch infer: %s %s sdpa: prefill %d tokens in %.1f ms (%.0f tokens/s), decode %.1f tokens/s,"
          " peak allocated %.2f GiB" % (a.model, a.dtype, a.prefill, prefill, a.prefill / (prefill / 1e3), decode,
                                        res["peak_gib"]))
    return res


def gemm(a):
    n = 16384
    shapes = [("q/o 2048→2048", 2048, 2048), ("k/v 2048→256", 2048, 256),
              ("gate/up 2048→5632", 2048, 5632), ("down 5632→2048", 5632, 2048),
              ("lm head 2048→32000", 2048, 32000)]

    def timed(f):
        for _ in range(3):
            f()
        torch.cuda.synchronize()
        ts = []
        for _ in range(20):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            f()
            e.record()
            torch.cuda.synchronize()
            ts.append(s.elapsed_time(e))
        return statistics.median(ts)

    res = {}
    print("%-22s %-5s %12s" % ("shape", "pass", "torch bf16"))
    for name, i, o in shapes:
        x = torch.randn(n, i, device="cuda", dtype=torch.bfloat16)
        w = torch.randn(o, i, device="cuda", dtype=torch.bfloat16)
        dy = torch.randn(n, o, device="cuda", dtype=torch.bfloat16)
        flop = 2.0 * n * i * o
        for p, f in (("fwd", lambda: torch.nn.functional.linear(x, w)), ("dx", lambda: dy @ w),
                     ("dW", lambda: dy.t() @ x)):
            tflops = flop / timed(f) / 1e9
            res[f"{name} {p}"] = tflops
            print("%-22s %-5s %12.1f" % (name, p, tflops))
    return res


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--model", default="tinyllama-1.1b", choices=sorted(SHAPES))
    t.add_argument("--seq", type=int, default=4096)
    t.add_argument("--batch", type=int, default=1)
    t.add_argument("--steps", type=int, default=5)
    t.add_argument("--warmup", type=int, default=2)
    t.add_argument("--precision", default="amp", choices=["amp", "bf16"])
    t.add_argument("--recompute", action="store_true")
    t.add_argument("--profile", action="store_true")
    i = sub.add_parser("infer")
    i.add_argument("--model", default="tinyllama-1.1b", choices=sorted(SHAPES))
    i.add_argument("--prefill", type=int, default=32768)
    i.add_argument("--decode", type=int, default=64)
    i.add_argument("--dtype", default="bf16", choices=["bf16", "fp32"])
    g = sub.add_parser("gemm")
    for p in (t, i, g):
        p.add_argument("--json")
    a = ap.parse_args()
    print(f"torch {torch.__version__}, transformers {transformers.__version__}", flush=True)
    try:
        res = {"train": train, "infer": infer, "gemm": gemm}[a.cmd](a)
    except torch.OutOfMemoryError as e:
        print(f"torch {a.cmd}: {a.model} does not fit: {str(e).splitlines()[0]}")
        return 3
    if a.json:
        json.dump(res, open(a.json, "w"), indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
