"""PyTorch's side of `bench load`: reads a checkpoint's model.safetensors into float32 torch
tensors, tensor by tensor (F32 as is; BF16 and F16 read as 16-bit values and converted with
torch's own .float()), then prints one JSON line: the seconds from opening the file to the last
tensor, and this process's peak resident memory.
  python3 torch_load.py MODEL_DIR THREADS"""
import json, os, resource, struct, sys, time
import numpy as np
import torch

d, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
DTYPES = {"F32": (np.float32, None), "BF16": (np.int16, torch.bfloat16), "F16": (np.float16, None)}

start = time.perf_counter()
W = {}
with open(os.path.join(d, "model.safetensors"), "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    for k, v in header.items():
        if k == "__metadata__": continue
        np_type, view = DTYPES[v["dtype"]]
        count = int(np.prod(v["shape"])) if v["shape"] else 1
        f.seek(8 + n + v["data_offsets"][0])
        t = torch.from_numpy(np.fromfile(f, dtype=np_type, count=count).reshape(v["shape"]))
        W[k] = (t.view(view) if view is not None else t).float()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_rss_bytes": peak, "tensors": len(W),
                  "parameters": int(sum(t.numel() for t in W.values()))}))
