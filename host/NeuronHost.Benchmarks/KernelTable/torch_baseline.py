"""PyTorch CPU equivalents of the NeuronHost kernels, kept running by the C# kernel table so that
its runs alternate with ours (host/NeuronHost.Benchmarks/Harness/ReferenceProcess.cs).
  python3 torch_baseline.py ROWS COLS CLASSES CORR_ROWS CORR_COLS TOPK BINS GEMM_N
prints {"ready": true, "openblas": whether it sets OpenBLAS's threads}, then answers each request
line {"run": KERNEL, "threads": T, "blas": B} with {"seconds": wall time of one run at T torch
threads and B OpenBLAS threads, "note": what was run, "threads": T, "blas": B or null}."""
import json
import os
import sys
import time

import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Harness"))
import reference_threads  # noqa: E402  (beside the benchmarks' other Python, in Harness/)

rows, cols, classes, corr_rows, corr_cols, topk, bins, gemm_n = map(int, sys.argv[1:9])
torch.manual_seed(0)
state = {}


def data():
    if "x" not in state:
        state["x"] = torch.randn(rows, cols)
        y = torch.randint(0, classes, (rows,))
        y[torch.rand(rows) < 0.05] = classes        # "no class" rows go to an extra slot
        state["y"] = y
        state["mask"] = torch.rand(rows) < 0.5
        state["v"] = torch.randn(cols) * 1e-3
        state["sel"] = torch.randperm(cols)[:min(1000, cols)].sort().values
        state["ridx"] = state["mask"].nonzero().squeeze(1)
        state["v2"] = torch.randn(len(state["sel"])) * 1e-3
    return state


def moments():
    s = data(); x, y = s["x"], s["y"]
    cnt = torch.bincount(y, minlength=classes + 1)
    s1 = torch.zeros(classes + 1, cols).index_add_(0, y, x)
    s2 = torch.zeros(classes + 1, cols).index_add_(0, y, x * x)
    mean = s1 / cnt.clamp(min=1)[:, None]
    return mean, s2 / cnt.clamp(min=1)[:, None] - mean * mean, x.amin(0), x.amax(0)


def edit():
    s = data()
    s["x"][s["mask"]] += s["v"]


def edit_scattered():
    s = data()
    s["x"][s["ridx"][:, None], s["sel"]] += s["v2"]


def topk_rows():
    return torch.topk(data()["x"], topk, dim=0)


def histograms():
    x = data()["x"]
    mn, mx = x.amin(0), x.amax(0)
    scale = bins / (mx - mn)
    offs = torch.arange(cols) * bins
    counts = torch.zeros(cols * bins, dtype=torch.long)
    for s in range(0, rows, 16384):
        b = ((x[s:s + 16384] - mn) * scale).long().clamp_(max=bins - 1) + offs
        counts += torch.bincount(b.view(-1), minlength=cols * bins)
    return counts


def corr_data():
    if "a" not in state:
        state["a"] = torch.randn(corr_rows, corr_cols)
        state["b"] = 0.5 * state["a"] + torch.randn(corr_rows, corr_cols)
    return state["a"], state["b"]


def correlation_matmul():
    a, b = corr_data()
    za = (a - a.mean(0)) / (a.std(0, unbiased=False) * corr_rows ** 0.5)
    zb = (b - b.mean(0)) / (b.std(0, unbiased=False) * corr_rows ** 0.5)
    return za.T @ zb


def correlation_corrcoef():
    a, b = corr_data()
    return torch.corrcoef(torch.cat([a, b], 1).T)[:corr_cols, corr_cols:]


def sgemm():
    if "p" not in state:
        state["p"] = torch.randn(gemm_n, gemm_n)
        state["q"] = torch.randn(gemm_n, gemm_n)
    return torch.mm(state["p"], state["q"])


KERNELS = {
    "moments": (moments, "index_add_ sums and sums of squares (float32), bincount, amin/amax"),
    "edit": (edit, "x[mask] += v (boolean-mask index_put_)"),
    "edit_scattered": (edit_scattered, "x[rows[:,None], cols] += v (advanced-index index_put_)"),
    "topk": (topk_rows, "torch.topk(x, k, dim=0)"),
    "histograms": (histograms, "amin/amax, then bincount over 16k-row chunks"),
    "correlation_matmul": (correlation_matmul, "standardise + za.T @ zb (float32)"),
    "correlation_corrcoef": (correlation_corrcoef, "torch.corrcoef(cat(a, b).T): computes the full (D1+D2)^2 matrix"),
    "sgemm": (sgemm, "torch.mm"),
}

print(json.dumps({"ready": True, "torch": torch.__version__, "openblas": reference_threads.controls_openblas()}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    name = request.get("run")
    if name not in KERNELS:
        print(json.dumps({"error": "unknown kernel %r" % name}), flush=True)
        continue
    threads, blas = reference_threads.set_threads(request.get("threads", 1), request.get("blas"))
    fn, note = KERNELS[name]
    t = time.perf_counter()
    fn()
    print(json.dumps({"seconds": time.perf_counter() - t, "note": note, "threads": threads, "blas": blas}), flush=True)
