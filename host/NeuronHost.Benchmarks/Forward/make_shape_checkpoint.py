#!/usr/bin/python3
"""A checkpoint of a real model's shape with random weights, for `bench forward` and `bench load`.

  /usr/bin/python3 host/NeuronHost.Benchmarks/Forward/make_shape_checkpoint.py SHAPE OUT_DIR [--seed N] [--dtype f32|bf16]

Speed does not depend on the weights' values, only on the shapes, so a benchmark can use a
real model's shape without its checkpoint, which no registry here serves. SHAPE is
- gpt2-small: GPT-2 small (124M parameters: 12 layers, hidden 768, 12 heads, FFN 3,072,
  vocabulary 50,257, 1,024 positions), in the layout of ../shared/models/gpt2-mini-brown
  (Hugging Face key names without the `transformer.` prefix, Conv1D weights [in, out], tied
  embeddings). The vocabulary files are written too (byte tokens, then placeholder merges) so
  the folder opens like any checkpoint; text through them is meaningless.
- tinyllama: TinyLlama-1.1B (1,100M parameters: 22 layers, hidden 2,048, 32 query heads sharing
  4 key/value heads, SwiGLU FFN 5,632, vocabulary 32,000, 2,048 positions, untied head), in the
  layout of ../shared/models/tiny-llama (Hugging Face Llama key names, weights [out, in]). No
  tokenizer files, as there: feed token ids.
Weights are N(0, 0.02), norm gains 1 and biases 0; float32, or bfloat16 (rounded to nearest
even) with --dtype bf16. Tensors are made and written one at a time, so the script needs about
one tensor's memory, not the model's. `bench forward` feeds token ids directly. Prints one JSON
line (the folder, the parameter count) when done.

OUT_DIR must not exist: nothing already there is touched.
"""
import json
import os
import struct
import sys

import numpy as np

SHAPES = {
    "gpt2-small": dict(kind="gpt2", n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024),
    "tinyllama": dict(kind="llama", layers=22, hidden=2048, heads=32, kv_heads=4, ffn=5632, vocab_size=32000, positions=2048),
}
NORMAL, ONES, ZEROS = "normal", "ones", "zeros"


def gpt2_tensors(shape):
    L, H, V, P = shape["n_layer"], shape["n_embd"], shape["vocab_size"], shape["n_positions"]
    tensors = {"wte.weight": (NORMAL, (V, H)), "wpe.weight": (NORMAL, (P, H))}
    for i in range(L):
        p = f"h.{i}."
        tensors.update({
            p + "ln_1.weight": (ONES, (H,)), p + "ln_1.bias": (ZEROS, (H,)),
            p + "attn.c_attn.weight": (NORMAL, (H, 3 * H)), p + "attn.c_attn.bias": (ZEROS, (3 * H,)),
            p + "attn.c_proj.weight": (NORMAL, (H, H)), p + "attn.c_proj.bias": (ZEROS, (H,)),
            p + "ln_2.weight": (ONES, (H,)), p + "ln_2.bias": (ZEROS, (H,)),
            p + "mlp.c_fc.weight": (NORMAL, (H, 4 * H)), p + "mlp.c_fc.bias": (ZEROS, (4 * H,)),
            p + "mlp.c_proj.weight": (NORMAL, (4 * H, H)), p + "mlp.c_proj.bias": (ZEROS, (H,)),
        })
    tensors["ln_f.weight"] = (ONES, (H,))
    tensors["ln_f.bias"] = (ZEROS, (H,))
    return tensors


def llama_tensors(shape):
    L, H, F, V = shape["layers"], shape["hidden"], shape["ffn"], shape["vocab_size"]
    KV = H // shape["heads"] * shape["kv_heads"]
    tensors = {"model.embed_tokens.weight": (NORMAL, (V, H))}
    for i in range(L):
        p = f"model.layers.{i}."
        tensors.update({
            p + "input_layernorm.weight": (ONES, (H,)),
            p + "self_attn.q_proj.weight": (NORMAL, (H, H)), p + "self_attn.k_proj.weight": (NORMAL, (KV, H)),
            p + "self_attn.v_proj.weight": (NORMAL, (KV, H)), p + "self_attn.o_proj.weight": (NORMAL, (H, H)),
            p + "post_attention_layernorm.weight": (ONES, (H,)),
            p + "mlp.gate_proj.weight": (NORMAL, (F, H)), p + "mlp.up_proj.weight": (NORMAL, (F, H)),
            p + "mlp.down_proj.weight": (NORMAL, (H, F)),
        })
    tensors["model.norm.weight"] = (ONES, (H,))
    tensors["lm_head.weight"] = (NORMAL, (V, H))
    return tensors


def main(argv):
    if len(argv) < 3 or argv[1] not in SHAPES:
        sys.exit(f"usage: {argv[0]} {{{','.join(SHAPES)}}} OUT_DIR [--seed N] [--dtype f32|bf16]")
    shape, out = SHAPES[argv[1]], argv[2]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
    dtype = argv[argv.index("--dtype") + 1] if "--dtype" in argv else "f32"
    if dtype not in ("f32", "bf16"):
        sys.exit(f"--dtype {dtype}: f32 or bf16")
    if os.path.exists(out):
        sys.exit(f"{out} already exists: give a new folder (nothing there is overwritten)")
    rng = np.random.default_rng(seed)
    tensors = gpt2_tensors(shape) if shape["kind"] == "gpt2" else llama_tensors(shape)
    size = 2 if dtype == "bf16" else 4

    def make(kind, dims):
        if kind == ONES: t = np.ones(dims, np.float32)
        elif kind == ZEROS: t = np.zeros(dims, np.float32)
        else: t = rng.standard_normal(dims, dtype=np.float32) * np.float32(0.02)
        if dtype == "f32": return t
        u = t.view(np.uint32)
        return ((u + np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1))) >> np.uint32(16)).astype(np.uint16)

    os.makedirs(out)
    header, offset = {"__metadata__": {"format": "pt", "note": f"random weights, {argv[1]} shape, seed {seed}"}}, 0
    for name, (_, dims) in tensors.items():
        nbytes = int(np.prod(dims)) * size
        header[name] = {"dtype": dtype.upper(), "shape": list(dims), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)   # the data starts 8-byte aligned
    with open(os.path.join(out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for kind, dims in tensors.values():
            f.write(np.ascontiguousarray(make(kind, dims)).tobytes())
    params = sum(int(np.prod(dims)) for _, dims in tensors.values())
    if shape["kind"] == "gpt2":
        write_gpt2_config(out, shape)
    else:
        write_llama_config(out, shape, dtype)
    print(json.dumps({"dir": out, "shape": argv[1], "parameters": params, "bytes": offset, "seed": seed, "dtype": dtype}))


def write_llama_config(out, shape, dtype):
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": shape["hidden"],
        "intermediate_size": shape["ffn"], "num_hidden_layers": shape["layers"], "num_attention_heads": shape["heads"],
        "num_key_value_heads": shape["kv_heads"], "vocab_size": shape["vocab_size"], "max_position_embeddings": shape["positions"],
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": False,
        "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16" if dtype == "bf16" else "float32",
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


def write_gpt2_config(out, shape):
    L, H, V, P = shape["n_layer"], shape["n_embd"], shape["vocab_size"], shape["n_positions"]
    config = {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
        "vocab_size": V, "n_positions": P, "n_ctx": P, "n_embd": H, "n_layer": L, "n_head": shape["n_head"],
        "n_inner": None, "layer_norm_epsilon": 1e-5, "bos_token_id": V - 1, "eos_token_id": V - 1,
        "tie_word_embeddings": True,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    write_vocabulary(out, V)


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
