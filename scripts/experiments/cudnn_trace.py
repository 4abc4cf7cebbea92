# Traces the cuDNN backend calls PyTorch makes for causal bf16 SDPA (forward + backward),
# so cream's own cuDNN graph can be checked against the same descriptors. Run with
# CUDNN_LOGLEVEL_DBG=3 CUDNN_LOGDEST_DBG=FILE.
import os, sys, torch
from torch.nn.attention import sdpa_kernel, SDPBackend
print("torch", torch.__version__, "cudnn", torch.backends.cudnn.version(), flush=True)
B, HQ, HK, T, D = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.manual_seed(0)
# BSHD storage, viewed as BHSD: the layout cream keeps ([B, T, H, d] row-major).
q = torch.randn(B, T, HQ, D, device="cuda", dtype=torch.bfloat16).transpose(1, 2).requires_grad_()
k = torch.randn(B, T, HK, D, device="cuda", dtype=torch.bfloat16).transpose(1, 2).requires_grad_()
v = torch.randn(B, T, HK, D, device="cuda", dtype=torch.bfloat16).transpose(1, 2).requires_grad_()
with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
    o = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=(HQ != HK))
    o.backward(torch.randn_like(o))
torch.cuda.synchronize()
print("ok", o.shape, q.grad.shape, k.grad.shape, flush=True)
