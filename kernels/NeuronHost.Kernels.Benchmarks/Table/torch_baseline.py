"""PyTorch CPU equivalents of the NeuronHost kernels, timed at the sizes the C# runner asks for.
Prints one JSON object per line: {"kernel": name, "seconds": best time, "note": ...}.
Run by `dotnet run ... -- table`; usable alone:
  python3 torch_baseline.py THREADS ROWS COLS CLASSES CORR_ROWS CORR_COLS TOPK BINS GEMM_N REPS"""
import json
import sys
import time

import torch

threads, rows, cols, classes, corr_rows, corr_cols, topk, bins, gemm_n, reps = map(int, sys.argv[1:11])
torch.set_num_threads(threads)
torch.manual_seed(0)


def best(fn, n=reps):
    """Best of n runs; a run over 10 s is not repeated (the table would take too long)."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        if times[-1] > 10:
            break
    return min(times)


def emit(kernel, seconds, note=""):
    print(json.dumps({"kernel": kernel, "seconds": seconds, "note": note}), flush=True)


def want(name):
    return len(sys.argv) <= 11 or name in sys.argv[11:]


x = torch.randn(rows, cols)
y = torch.randint(0, classes, (rows,))
y[torch.rand(rows) < 0.05] = classes            # "no class" rows go to an extra slot

if want("moments"):
    def moments():
        cnt = torch.bincount(y, minlength=classes + 1)
        s1 = torch.zeros(classes + 1, cols).index_add_(0, y, x)
        s2 = torch.zeros(classes + 1, cols).index_add_(0, y, x * x)
        mean = s1 / cnt.clamp(min=1)[:, None]
        var = s2 / cnt.clamp(min=1)[:, None] - mean * mean
        return mean, var, x.amin(0), x.amax(0)
    emit("moments", best(moments), "index_add_ sums and sums of squares (float32), bincount, amin/amax")

if want("edit"):
    mask = torch.rand(rows) < 0.5
    v = torch.randn(cols) * 1e-3
    def edit_all():
        x[mask] += v
    emit("edit", best(edit_all), "x[mask] += v (boolean-mask index_put_)")
    sel = torch.randperm(cols)[:1000].sort().values
    ridx = mask.nonzero().squeeze(1)
    v2 = torch.randn(1000) * 1e-3
    def edit_scattered():
        x[ridx[:, None], sel] += v2
    emit("edit_scattered", best(edit_scattered), "x[rows[:,None], cols] += v (advanced-index index_put_)")

if want("topk"):
    emit("topk", best(lambda: torch.topk(x, topk, dim=0)), "torch.topk(x, k, dim=0)")

if want("histograms"):
    def hist():
        mn = x.amin(0)
        mx = x.amax(0)
        scale = bins / (mx - mn)
        offs = torch.arange(cols) * bins
        counts = torch.zeros(cols * bins, dtype=torch.long)
        for s in range(0, rows, 16384):
            b = ((x[s:s + 16384] - mn) * scale).long().clamp_(max=bins - 1) + offs
            counts += torch.bincount(b.view(-1), minlength=cols * bins)
        return counts
    emit("histograms", best(hist), "amin/amax, then bincount over 16k-row chunks")

del x

if want("correlation"):
    a = torch.randn(corr_rows, corr_cols)
    b = 0.5 * a + torch.randn(corr_rows, corr_cols)
    def standardise_matmul():
        za = (a - a.mean(0)) / (a.std(0, unbiased=False) * corr_rows ** 0.5)
        zb = (b - b.mean(0)) / (b.std(0, unbiased=False) * corr_rows ** 0.5)
        return za.T @ zb
    emit("correlation_matmul", best(standardise_matmul, 1), "standardise + za.T @ zb (float32)")
    def corrcoef():
        return torch.corrcoef(torch.cat([a, b], 1).T)[:corr_cols, corr_cols:]
    emit("correlation_corrcoef", best(corrcoef, 1), "torch.corrcoef(cat(a, b).T): computes the full (D1+D2)² matrix")
    del a, b

if want("sgemm"):
    p = torch.randn(gemm_n, gemm_n)
    q = torch.randn(gemm_n, gemm_n)
    torch.mm(p, q)
    emit("sgemm", best(lambda: torch.mm(p, q)), "torch.mm")
