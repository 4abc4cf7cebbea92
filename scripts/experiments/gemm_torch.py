# torch's bf16 products on the shapes of GemmBench (a TinyLlama step's linear layers, 16,384
# tokens): forward y = x·Wᵀ, dX = dY·W, dW = dYᵀ·X, bf16 in and out as under amp. TFLOP/s,
# median of 20 after a warm-up, CUDA events around each product.
import torch
n = 16384
shapes = [("q/o 2048→2048", 2048, 2048), ("k/v 2048→256", 2048, 256),
          ("gate/up 2048→5632", 2048, 5632), ("down 5632→2048", 5632, 2048),
          ("lm head 2048→32000", 2048, 32000)]
def timed(f):
    for _ in range(3): f()
    torch.cuda.synchronize()
    ts = []
    for _ in range(20):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); f(); b.record(); torch.cuda.synchronize(); ts.append(a.elapsed_time(b))
    ts.sort(); return ts[len(ts) // 2]
print("%-22s %-5s %12s" % ("shape", "pass", "torch bf16"))
for name, i, o in shapes:
    x = torch.randn(n, i, device="cuda", dtype=torch.bfloat16)
    w = torch.randn(o, i, device="cuda", dtype=torch.bfloat16)
    dy = torch.randn(n, o, device="cuda", dtype=torch.bfloat16)
    fl = 2.0 * n * i * o
    for p, f in (("fwd", lambda: torch.nn.functional.linear(x, w)), ("dx", lambda: dy @ w),
                 ("dW", lambda: dy.t() @ x)):
        print("%-22s %-5s %12.1f" % (name, p, fl / timed(f) / 1e9))
