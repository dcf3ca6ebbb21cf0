"""GPT-2 forward written directly in torch ops from a checkpoint's model.safetensors (float32),
kept running by `bench forward` so that its forwards alternate with ours
(host/NeuronHost.Benchmarks/Harness/ReferenceProcess.cs).
  python3 torch_forward.py MODEL_DIR BATCH LENGTH
prints {"ready": true}; answers {"run": "forward", "threads": T} with {"seconds": ...} (one
forward of the batch, logits at every position) and {"run": "logits"} with the last logits
of the first sequence."""
import json, os, struct, sys, time
import numpy as np
import torch
import torch.nn.functional as F

d = sys.argv[1]
cfg = json.load(open(os.path.join(d, "config.json")))
raw = open(os.path.join(d, "model.safetensors"), "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
W = {}
for k, v in header.items():
    if k == "__metadata__": continue
    assert v["dtype"] == "F32", k
    count = int(np.prod(v["shape"])) if v["shape"] else 1
    a = np.frombuffer(raw, dtype=np.float32, count=count, offset=8 + n + v["data_offsets"][0])
    W[k[len("transformer."):] if k.startswith("transformer.") else k] = torch.from_numpy(a.reshape(v["shape"]).copy())
del raw   # the copies above own their memory

H, L, NH = cfg["n_embd"], cfg["n_layer"], cfg["n_head"]
HD, eps, V = H // NH, cfg.get("layer_norm_epsilon", 1e-5), cfg["vocab_size"]
B, T = int(sys.argv[2]), int(sys.argv[3])
ids = torch.tensor([[(b * 131 + j * 31 + 7) % V for j in range(T)] for b in range(B)])
mask = torch.full((T, T), float("-inf")).triu(1)
head = W.get("lm_head.weight", W["wte.weight"])

def forward(ids):
    x = W["wte.weight"][ids] + W["wpe.weight"][:T]
    for i in range(L):
        p = "h.%d." % i
        h = F.layer_norm(x, (H,), W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)
        qkv = torch.addmm(W[p + "attn.c_attn.bias"], h.view(-1, H), W[p + "attn.c_attn.weight"]).view(B, T, 3, NH, HD)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-2, -1) / HD ** 0.5 + mask, dim=-1)
        z = (att @ v).transpose(1, 2).reshape(B * T, H)
        x = x + torch.addmm(W[p + "attn.c_proj.bias"], z, W[p + "attn.c_proj.weight"]).view(B, T, H)
        h = F.layer_norm(x, (H,), W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
        m = F.gelu(torch.addmm(W[p + "mlp.c_fc.bias"], h.view(-1, H), W[p + "mlp.c_fc.weight"]), approximate="tanh")
        x = x + torch.addmm(W[p + "mlp.c_proj.bias"], m, W[p + "mlp.c_proj.weight"]).view(B, T, H)
    x = F.layer_norm(x, (H,), W["ln_f.weight"], W["ln_f.bias"], eps)
    return x @ head.t()

print(json.dumps({"ready": True}), flush=True)
logits = None
with torch.no_grad():
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("run") == "forward":
            torch.set_num_threads(int(request.get("threads", 1)))
            t0 = time.perf_counter()
            logits = forward(ids)
            print(json.dumps({"seconds": time.perf_counter() - t0, "threads": torch.get_num_threads()}), flush=True)
        elif request.get("run") == "logits":
            print(json.dumps({"last_logits": forward(ids)[0, -1].tolist()}), flush=True)
        else:
            print(json.dumps({"error": "unknown request %r" % line.strip()}), flush=True)
