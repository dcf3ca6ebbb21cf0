"""NeuroX's linear-probe trainer algorithm (interpretation/linear_probe.py, re-implemented):
nn.Linear, cross-entropy + l1*sum|W| + l2*sqrt(sum W^2), Adam lr 1e-3, 10 epochs, batch 32,
batches in order. Reads float32/int32 .bin files written by the C# benchmark (test_*.bin
optional) and prints one JSON line: training seconds (the epochs only), accuracies, and after
each epoch the training seconds so far with the dev accuracy then (the dev evaluations are not
counted in the seconds), so time-to-accuracy can be charged to Adam as it is to ours."""
import json, os, sys, time
import numpy as np
import torch

d, classes, l1, l2 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 10
threads = int(sys.argv[6]) if len(sys.argv) > 6 else 2
blas = int(sys.argv[7]) if len(sys.argv) > 7 else threads
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Harness"))
import reference_threads  # noqa: E402  (beside the benchmarks' other Python, in Harness/)
threads, blas = reference_threads.set_threads(threads, blas)
torch.manual_seed(1)
def load(name):
    X = torch.from_numpy(np.fromfile(name + "_x.bin", dtype=np.float32).reshape(-1, d))
    y = torch.from_numpy(np.fromfile(name + "_y.bin", dtype=np.int32).astype(np.int64))
    return X, y
Xt, yt = load("train")
Xd, yd = load("dev")

probe = torch.nn.Linear(d, classes)
opt = torch.optim.Adam(probe.parameters(), lr=1e-3)
crit = torch.nn.CrossEntropyLoss()
def accuracy(X, y):
    keep = y >= 0
    return (probe(X[keep]).argmax(1) == y[keep]).float().mean().item()
trained = 0.0
per_epoch = []
for epoch in range(epochs):
    start = time.perf_counter()
    for i in range(0, Xt.shape[0], 32):
        x, y = Xt[i:i + 32], yt[i:i + 32]
        opt.zero_grad()
        w = probe.weight
        loss = crit(probe(x), y) + l1 * w.abs().sum() + l2 * torch.sqrt((w ** 2).sum())
        loss.backward()
        opt.step()
    trained += time.perf_counter() - start
    with torch.no_grad():
        per_epoch.append([trained, accuracy(Xd, yd)])
with torch.no_grad():
    out = {"seconds": trained, "train_accuracy": accuracy(Xt, yt), "dev_accuracy": accuracy(Xd, yd), "epochs": epochs,
           "per_epoch": per_epoch, "threads": threads, "blas": blas}
    if os.path.exists("test_x.bin"):
        out["test_accuracy"] = accuracy(*load("test"))
print(json.dumps(out))
