"""Independent reference for text-faithful LM input (lm_input: text).

Reads a JSON job {model, layers, sentences: [{text, ids, surface: [[form, first_word, last_word], ...]}]},
checks that the GPT-2 byte-level tokens decode to the text, aligns every syntactic word to the
tokens overlapping its characters (the words of a multiword token take the span of the surface
token), runs a float32 PyTorch forward of the model (GPT-2 layout read straight from
model.safetensors) on each sentence's text, and writes, per word in order, the mlp.hook_post
activations of the word's last token at every requested layer (float32, [words, layers*ffn]) to
OUT.bin and the per-word last-token index to OUT.json.

usage: gpt2_text_activations.py JOB.json OUT
"""
import json, os, struct, sys
import numpy as np
import torch
import torch.nn.functional as F

job = json.load(open(sys.argv[1]))
out = sys.argv[2]
d = job["model"]
cfg = json.load(open(os.path.join(d, "config.json")))
raw = open(os.path.join(d, "model.safetensors"), "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
W = {}
for k, v in header.items():
    if k == "__metadata__":
        continue
    count = int(np.prod(v["shape"])) if v["shape"] else 1
    a = np.frombuffer(raw, dtype=np.float32, count=count, offset=8 + n + v["data_offsets"][0])
    W[k[len("transformer."):] if k.startswith("transformer.") else k] = torch.from_numpy(a.reshape(v["shape"]).copy())
H, L, NH = cfg["n_embd"], cfg["n_layer"], cfg["n_head"]
HD, eps = H // NH, cfg.get("layer_norm_epsilon", 1e-5)

# GPT-2's byte <-> printable-character table, to turn vocabulary strings back into bytes.
bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
cs = bs[:]
extra = 0
for b in range(256):
    if b not in bs:
        bs.append(b)
        cs.append(256 + extra)
        extra += 1
char_to_byte = {chr(c): b for b, c in zip(bs, cs)}
vocab = json.load(open(os.path.join(d, "vocab.json"), encoding="utf-8"))
id_to_bytes = {i: bytes(char_to_byte[ch] for ch in tok) for tok, i in vocab.items()}


def char_ends(text, ids):
    """End character offset of every token (a token ending inside a UTF-8 sequence ends where
    that character ends)."""
    data = text.encode("utf-8")
    assert b"".join(id_to_bytes[i] for i in ids) == data, "tokens do not spell the text"
    # byte offset -> number of characters that end at or before it (rounded up to a whole character)
    char_end_of_byte = []
    pos = 0
    for ci, ch in enumerate(text):
        nb = len(ch.encode("utf-8"))
        char_end_of_byte += [ci + 1] * nb
        pos += nb
    ends, b = [], 0
    for i in ids:
        b += len(id_to_bytes[i])
        ends.append(char_end_of_byte[b - 1])
    return ends


def forward(ids, layers):
    T = len(ids)
    x = W["wte.weight"][ids] + W["wpe.weight"][:T]
    mask = torch.full((T, T), float("-inf")).triu(1)
    captured = {}
    for i in range(L):
        p = "h.%d." % i
        h = F.layer_norm(x, (H,), W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)
        q, k, v = (h @ W[p + "attn.c_attn.weight"] + W[p + "attn.c_attn.bias"]).view(T, 3, NH, HD).permute(1, 2, 0, 3)
        att = torch.softmax(q @ k.transpose(-2, -1) / HD ** 0.5 + mask, dim=-1)
        z = (att @ v).transpose(0, 1).reshape(T, H)
        x = x + z @ W[p + "attn.c_proj.weight"] + W[p + "attn.c_proj.bias"]
        h = F.layer_norm(x, (H,), W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
        m = F.gelu(h @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"], approximate="tanh")
        captured[i] = m
        x = x + m @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"]
    return torch.cat([captured[l] for l in layers], dim=1)


rows, last_tokens = [], []
with torch.no_grad():
    for s in job["sentences"]:
        text, ids = s["text"], s["ids"]
        ends = char_ends(text, ids)
        starts = [0] + ends[:-1]
        acts = forward(torch.tensor(ids), job["layers"])
        cursor = 0
        words = {}
        for form, first, last in s["surface"]:
            while text[cursor].isspace():
                cursor += 1
            assert text.startswith(form, cursor), (text, form, cursor)
            a, b = cursor, cursor + len(form)
            cursor = b
            over = [t for t in range(len(ids)) if starts[t] < b and ends[t] > a]
            for w in range(first, last + 1):
                words[w] = over[-1]
        for w in range(len(words)):
            last_tokens.append(words[w])
            rows.append(acts[words[w]].numpy())
np.asarray(rows, dtype=np.float32).tofile(out + ".bin")
json.dump(last_tokens, open(out + ".json", "w"))
