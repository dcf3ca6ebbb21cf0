"""Reference for `trainer: neurox-adam` of the linear ranking: NeuroX's probe trainer
(interpretation/linear_probe.py: _train_probe as called by train_logistic_regression_probe) and
its get_neuron_ordering, re-implemented on torch from their description.

Inputs in the working directory (float32 / int32 little-endian): x.bin [rows, features], y.bin
[rows], w0.bin [features, classes] and b0.bin [classes] (the starting point; NeuroX starts from
torch's random nn.Linear init, which we replace by the same numbers the C# trainer starts from).
Arguments: features classes l1 l2 epochs batch lr stride.
Writes w.bin (trained weights, [features, classes]) and prints one JSON line: the training
accuracy and, per neuron, the sweep step at which get_neuron_ordering adds it.
"""
import json, sys
import numpy as np
import torch

features, classes = int(sys.argv[1]), int(sys.argv[2])
l1, l2 = float(sys.argv[3]), float(sys.argv[4])
epochs, batch, lr, stride = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
torch.set_num_threads(2)
X = torch.from_numpy(np.fromfile("x.bin", dtype=np.float32).reshape(-1, features))
y = torch.from_numpy(np.fromfile("y.bin", dtype=np.int32).astype(np.int64))
w0 = np.fromfile("w0.bin", dtype=np.float32).reshape(features, classes)
b0 = np.fromfile("b0.bin", dtype=np.float32)

probe = torch.nn.Linear(features, classes)
with torch.no_grad():
    probe.weight.copy_(torch.from_numpy(w0.T.copy()))
    probe.bias.copy_(torch.from_numpy(b0))
# NeuroX: Adam with torch defaults, cross-entropy (batch mean) + l1*sum|W| + l2*sqrt(sum W^2),
# batches in row order, no shuffling.
optimizer = torch.optim.Adam(probe.parameters(), lr=lr)
criterion = torch.nn.CrossEntropyLoss()
for epoch in range(epochs):
    for start in range(0, X.shape[0], batch):
        inputs, labels = X[start:start + batch], y[start:start + batch]
        optimizer.zero_grad()
        w = probe.weight
        loss = criterion(probe(inputs), labels) + l1 * w.abs().sum() + l2 * torch.sqrt((w ** 2).sum())
        loss.backward()
        optimizer.step()

W = probe.weight.detach().numpy()  # [classes, features]
W.T.astype(np.float32).tofile("w.bin")
with torch.no_grad():
    accuracy = (probe(X).argmax(1) == y).float().mean().item()

# get_neuron_ordering: for p = 0, 1/stride, ..., 1, per class the shortest prefix of neurons by
# descending |W_c| whose cumulative mass reaches p of the class total (all neurons when none
# does); a neuron's step is the first p at which it appears in the union over classes.
A = np.abs(W)
step_of = [-1] * features
for step in range(stride + 1):
    fraction = step / stride
    for c in range(classes):
        order = np.argsort(A[c])[::-1]
        cumulative = np.cumsum(A[c][order])
        reached = np.where(cumulative >= A[c].sum() * fraction)[0]
        count = len(order) if len(reached) == 0 else reached[0] + 1
        for j in order[:count]:
            if step_of[j] < 0:
                step_of[j] = step
print(json.dumps({"train_accuracy": accuracy, "step": [int(s) for s in step_of]}))
