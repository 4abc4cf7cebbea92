# Traces the cuDNN calls PyTorch makes for bf16 SDPA where queries are the last Lq of Lk keys
# (a prefill chunk over a longer cache: the causal mask aligned to the bottom right), forward only.
# Run with CUDNN_LOGLEVEL_DBG=3 CUDNN_LOGDEST_DBG=FILE.
import sys, torch
from torch.nn.attention import sdpa_kernel, SDPBackend
from torch.nn.attention.bias import causal_lower_right
print("torch", torch.__version__, "cudnn", torch.backends.cudnn.version(), flush=True)
B, H, HK, LQ, LK, D = (int(a) for a in sys.argv[1:7])
q = torch.randn(B, LQ, H, D, device="cuda", dtype=torch.bfloat16).transpose(1, 2)
k = torch.randn(B, LK, HK, D, device="cuda", dtype=torch.bfloat16).transpose(1, 2)
v = torch.randn(B, LK, HK, D, device="cuda", dtype=torch.bfloat16).transpose(1, 2)
mask = causal_lower_right(LQ, LK)
for name, kw in (("bias", dict(attn_mask=mask)), ("is_causal", dict(is_causal=True))):
    try:
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
            o = torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=(H != HK), **kw)
        torch.cuda.synchronize()
        print(name, "ok", tuple(o.shape), flush=True)
    except Exception as e:
        print(name, "failed:", str(e).splitlines()[0][:300], flush=True)
