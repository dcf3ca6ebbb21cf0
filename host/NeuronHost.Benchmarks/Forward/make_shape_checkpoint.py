#!/usr/bin/python3
"""A GPT-2 checkpoint of a real model's shape with random weights, for `bench forward`.

  /usr/bin/python3 host/NeuronHost.Benchmarks/Forward/make_shape_checkpoint.py gpt2-small OUT_DIR [--seed N]

Speed does not depend on the weights' values, only on the shapes, so a benchmark can use
the shape of GPT-2 small (124M parameters: 12 layers, hidden 768, 12 heads, FFN 3,072,
vocabulary 50,257, 1,024 positions) without the checkpoint, which no registry here serves.
Weights are N(0, 0.02) (GPT-2's initialisation), LayerNorm gains 1 and biases 0, float32, in
the layout of ../shared/models/gpt2-mini-brown (Hugging Face key names without the
`transformer.` prefix, Conv1D weights [in, out], tied embeddings). The vocabulary files are
written too (byte tokens, then placeholder merges) so the folder opens like any checkpoint;
text through them is meaningless, and `bench forward` feeds token ids directly. Prints one JSON
line (the folder, the parameter count) when done.

OUT_DIR must not exist: nothing already there is touched.
"""
import json
import os
import struct
import sys

import numpy as np

SHAPES = {
    "gpt2-small": dict(n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024),
}


def main(argv):
    if len(argv) < 3 or argv[1] not in SHAPES:
        sys.exit(f"usage: {argv[0]} {{{','.join(SHAPES)}}} OUT_DIR [--seed N]")
    shape, out = SHAPES[argv[1]], argv[2]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
    if os.path.exists(out):
        sys.exit(f"{out} already exists: give a new folder (nothing there is overwritten)")
    rng = np.random.default_rng(seed)
    L, H, V, P = shape["n_layer"], shape["n_embd"], shape["vocab_size"], shape["n_positions"]

    def normal(*dims):
        return (rng.standard_normal(dims, dtype=np.float32) * np.float32(0.02))

    tensors = {"wte.weight": normal(V, H), "wpe.weight": normal(P, H)}
    for i in range(L):
        p = f"h.{i}."
        tensors.update({
            p + "ln_1.weight": np.ones(H, np.float32), p + "ln_1.bias": np.zeros(H, np.float32),
            p + "attn.c_attn.weight": normal(H, 3 * H), p + "attn.c_attn.bias": np.zeros(3 * H, np.float32),
            p + "attn.c_proj.weight": normal(H, H), p + "attn.c_proj.bias": np.zeros(H, np.float32),
            p + "ln_2.weight": np.ones(H, np.float32), p + "ln_2.bias": np.zeros(H, np.float32),
            p + "mlp.c_fc.weight": normal(H, 4 * H), p + "mlp.c_fc.bias": np.zeros(4 * H, np.float32),
            p + "mlp.c_proj.weight": normal(4 * H, H), p + "mlp.c_proj.bias": np.zeros(H, np.float32),
        })
    tensors["ln_f.weight"] = np.ones(H, np.float32)
    tensors["ln_f.bias"] = np.zeros(H, np.float32)

    os.makedirs(out)
    header, offset = {"__metadata__": {"format": "pt", "note": f"random weights, {argv[1]} shape, seed {seed}"}}, 0
    for name, t in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + t.nbytes]}
        offset += t.nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)   # the data starts 8-byte aligned
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for t in tensors.values():
            f.write(np.ascontiguousarray(t).tobytes())

    config = {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
        "vocab_size": V, "n_positions": P, "n_ctx": P, "n_embd": H, "n_layer": L, "n_head": shape["n_head"],
        "n_inner": None, "layer_norm_epsilon": 1e-5, "bos_token_id": V - 1, "eos_token_id": V - 1,
        "tie_word_embeddings": True,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_vocabulary(out, V)
    params = sum(t.size for t in tensors.values())
    print(json.dumps({"dir": out, "shape": argv[1], "parameters": int(params), "bytes": offset, "seed": seed}))


def write_vocabulary(out, vocab_size):
    """GPT-2's 256 byte tokens (its printable-character mapping), then merges of two byte
    tokens until the vocabulary is full, the last id being <|endoftext|>."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    byte_tokens = [chars[b] for b in range(256)]
    vocab = {t: i for i, t in enumerate(byte_tokens)}
    merges = []
    a = 0
    while len(vocab) < vocab_size - 1:
        left = byte_tokens[a % 256]
        for right in byte_tokens:
            if len(vocab) >= vocab_size - 1:
                break
            if left + right in vocab:
                continue
            vocab[left + right] = len(vocab)
            merges.append(f"{left} {right}")
        a += 1
    vocab["<|endoftext|>"] = len(vocab)
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")


if __name__ == "__main__":
    main(sys.argv)
