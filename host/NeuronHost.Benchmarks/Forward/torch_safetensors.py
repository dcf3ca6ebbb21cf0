"""Reads a checkpoint's model.safetensors into float32 torch tensors, for the PyTorch sides of
`bench forward` (torch_forward.py) and `bench load` (torch_load.py): tensor by tensor, each array
owned by its tensor (resident memory is the weights, not the file twice); F32 as stored, BF16 and
F16 read as 16-bit values and converted by torch's own .float(), as our runtime converts them."""
import json, os, struct
import numpy as np
import torch

DTYPES = {"F32": (np.float32, None), "BF16": (np.int16, torch.bfloat16), "F16": (np.float16, None)}


def load(model_dir, strip_prefix=""):
    """{name: float32 tensor}; names starting with strip_prefix lose it."""
    weights = {}
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        for k, v in header.items():
            if k == "__metadata__": continue
            np_type, view = DTYPES[v["dtype"]]
            count = int(np.prod(v["shape"])) if v["shape"] else 1
            f.seek(8 + n + v["data_offsets"][0])
            t = torch.from_numpy(np.fromfile(f, dtype=np_type, count=count).reshape(v["shape"]))
            name = k[len(strip_prefix):] if strip_prefix and k.startswith(strip_prefix) else k
            weights[name] = (t.view(view) if view is not None else t).float()
    return weights
