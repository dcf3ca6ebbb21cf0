"""NeuroX's linear-probe trainer algorithm (interpretation/linear_probe.py, re-implemented):
nn.Linear, cross-entropy + l1*sum|W| + l2*sqrt(sum W^2), Adam lr 1e-3, 10 epochs, batch 32,
batches in order. Reads float32/int32 .bin files written by the C# benchmark and prints one
JSON line: training seconds (the epochs only) and train/dev accuracy."""
import json, sys, time
import numpy as np
import torch

d, classes, l1, l2 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 10
threads = int(sys.argv[6]) if len(sys.argv) > 6 else 2
torch.set_num_threads(threads)
torch.manual_seed(1)
Xt = torch.from_numpy(np.fromfile("train_x.bin", dtype=np.float32).reshape(-1, d))
yt = torch.from_numpy(np.fromfile("train_y.bin", dtype=np.int32).astype(np.int64))
Xd = torch.from_numpy(np.fromfile("dev_x.bin", dtype=np.float32).reshape(-1, d))
yd = torch.from_numpy(np.fromfile("dev_y.bin", dtype=np.int32).astype(np.int64))

probe = torch.nn.Linear(d, classes)
opt = torch.optim.Adam(probe.parameters(), lr=1e-3)
crit = torch.nn.CrossEntropyLoss()
start = time.perf_counter()
for epoch in range(epochs):
    for i in range(0, Xt.shape[0], 32):
        x, y = Xt[i:i + 32], yt[i:i + 32]
        opt.zero_grad()
        w = probe.weight
        loss = crit(probe(x), y) + l1 * w.abs().sum() + l2 * torch.sqrt((w ** 2).sum())
        loss.backward()
        opt.step()
seconds = time.perf_counter() - start
with torch.no_grad():
    acc_t = (probe(Xt).argmax(1) == yt).float().mean().item()
    acc_d = (probe(Xd).argmax(1) == yd).float().mean().item()
print(json.dumps({"seconds": seconds, "train_accuracy": acc_t, "dev_accuracy": acc_d, "epochs": epochs}))
