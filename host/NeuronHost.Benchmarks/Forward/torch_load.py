"""PyTorch's side of `bench load`: reads a checkpoint's model.safetensors into float32 torch
tensors (torch_safetensors.py: BF16 and F16 converted with torch's own .float()), then prints one JSON line: the seconds from opening the file to the last
tensor, and this process's peak resident memory.
  python3 torch_load.py MODEL_DIR THREADS"""
import json, resource, sys, time
import torch
import torch_safetensors

d, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)

start = time.perf_counter()
W = torch_safetensors.load(d)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_rss_bytes": peak, "tensors": len(W),
                  "parameters": int(sum(t.numel() for t in W.values()))}))
