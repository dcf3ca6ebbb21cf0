"""PyTorch CUDA equivalents of the NeuronHost kernels, timed like ours: the activations start in
host memory, so each timing includes the host-to-device copy (pinned memory); "device" also
reports the kernel alone on data already on the card. One JSON object per line:
{"kernel": name, "seconds": end-to-end best, "device_seconds": on-card best, "note": ...}.
Exit code 3 when torch is missing or has no CUDA device (the caller prints the reason).
  python3 torch_cuda_baseline.py ROWS COLS CLASSES CORR_ROWS CORR_COLS TOPK BINS GEMM_N REPS"""
import json
import sys
import time

try:
    import torch
except ImportError as e:
    print(f"torch not importable ({e})", file=sys.stderr)
    sys.exit(3)
if not torch.cuda.is_available():
    print("torch has no CUDA device", file=sys.stderr)
    sys.exit(3)

rows, cols, classes, corr_rows, corr_cols, topk, bins, gemm_n, reps = map(int, sys.argv[1:10])
dev = torch.device("cuda")
torch.manual_seed(0)


def best(fn):
    times = []
    for _ in range(reps + 1):          # the first run warms up (cuBLAS handles, allocator)
        torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    return min(times[1:])


def emit(kernel, host_fn, device_fn, note):
    print(json.dumps({"kernel": kernel, "seconds": best(host_fn), "device_seconds": best(device_fn), "note": note}), flush=True)


x_host = torch.randn(rows, cols).pin_memory()
y_host = torch.randint(0, classes + 1, (rows,)).pin_memory()
x = x_host.to(dev)
y = y_host.to(dev)


def moments(xd, yd):
    cnt = torch.bincount(yd, minlength=classes + 1)
    s1 = torch.zeros(classes + 1, cols, device=dev, dtype=torch.float64).index_add_(0, yd, xd.double())
    s2 = torch.zeros(classes + 1, cols, device=dev, dtype=torch.float64).index_add_(0, yd, xd.double() ** 2)
    mean = s1 / cnt.clamp(min=1)[:, None]
    return mean, s2 / cnt.clamp(min=1)[:, None] - mean * mean, xd.amin(0), xd.amax(0)


emit("moments", lambda: moments(x_host.to(dev, non_blocking=True), y_host.to(dev, non_blocking=True)), lambda: moments(x, y),
     "index_add_ in float64, bincount, amin/amax")
emit("topk", lambda: torch.topk(x_host.to(dev, non_blocking=True), topk, dim=0), lambda: torch.topk(x, topk, dim=0), "torch.topk(x, k, dim=0)")


def hist(xd):
    mn, mx = xd.amin(0), xd.amax(0)
    b = ((xd - mn) * (bins / (mx - mn))).long().clamp_(max=bins - 1) + torch.arange(cols, device=dev) * bins
    return torch.bincount(b.view(-1), minlength=cols * bins)


emit("histograms", lambda: hist(x_host.to(dev, non_blocking=True)), lambda: hist(x), "amin/amax, bincount")
mask_host = (torch.rand(rows) < 0.5).pin_memory()
mask = mask_host.to(dev)
v = torch.randn(cols, device=dev) * 1e-3


def edit(xd, m):
    xd[m] += v
    return xd


emit("edit", lambda: edit(x_host.to(dev, non_blocking=True), mask_host.to(dev, non_blocking=True)).to("cpu"), lambda: edit(x, mask),
     "x[mask] += v; end-to-end includes the copy back")
del x, x_host
a_host = torch.randn(corr_rows, corr_cols).pin_memory()
b_host = (0.5 * a_host + torch.randn(corr_rows, corr_cols)).pin_memory()


def corr(a, b):
    za = (a - a.mean(0)) / (a.std(0, unbiased=False) * corr_rows ** 0.5)
    zb = (b - b.mean(0)) / (b.std(0, unbiased=False) * corr_rows ** 0.5)
    return za.T @ zb


a, b = a_host.to(dev), b_host.to(dev)
emit("correlation", lambda: corr(a_host.to(dev, non_blocking=True), b_host.to(dev, non_blocking=True)).to("cpu"), lambda: corr(a, b),
     "standardise + za.T @ zb (float32, cuBLAS)")
del a, b
p, q = torch.randn(gemm_n, gemm_n, device=dev), torch.randn(gemm_n, gemm_n, device=dev)
ph, qh = p.to("cpu").pin_memory(), q.to("cpu").pin_memory()
emit("sgemm", lambda: torch.mm(ph.to(dev, non_blocking=True), qh.to(dev, non_blocking=True)).to("cpu"), lambda: torch.mm(p, q), "torch.mm (TF32 off)")
