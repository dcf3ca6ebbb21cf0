"""The forward of a GPT-2, Llama or BERT checkpoint written directly in torch ops (eager) from
its model.safetensors (float32; bf16/f16 converted to float32 at load), kept running by `bench forward` so that its forwards alternate
with ours (host/NeuronHost.Benchmarks/Harness/ReferenceProcess.cs).
  python3 torch_forward.py MODEL_DIR BATCH LENGTH
prints {"ready": true, "openblas": ...}; answers {"run": "forward", "threads": T, "blas": B} (torch's
threads and OpenBLAS's, Harness/reference_threads.py) with {"seconds": ..., "threads", "blas"} (one
forward of the batch, logits at every position: next-token logits for GPT-2 and Llama, the
masked-LM head's for BERT), {"run": "logits"} with the last logits of the first sequence and
{"run": "rss"} with this process's peak resident memory so far."""
import json, os, sys, time
import torch
import torch.nn.functional as F
import torch_safetensors
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Harness"))
import reference_threads  # noqa: E402  (beside the benchmarks' other Python, in Harness/)

d = sys.argv[1]
cfg = json.load(open(os.path.join(d, "config.json")))
W = torch_safetensors.load(d, strip_prefix="transformer.")

kind = cfg["model_type"]
V = cfg["vocab_size"]
B, T = int(sys.argv[2]), int(sys.argv[3])
ids = torch.tensor([[(b * 131 + j * 31 + 7) % V for j in range(T)] for b in range(B)])
causal = torch.full((T, T), float("-inf")).triu(1)


def attention(q, k, v, mask):
    """q [B, NH, T, HD], k and v [B, NH, T, HD] → [B·T, NH·HD]."""
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    att = torch.softmax(scores if mask is None else scores + mask, dim=-1)
    return (att @ v).transpose(1, 2).reshape(B * T, -1)


def gpt2(ids):
    H, L, NH = cfg["n_embd"], cfg["n_layer"], cfg["n_head"]
    HD, eps = H // NH, cfg.get("layer_norm_epsilon", 1e-5)
    head = W.get("lm_head.weight", W["wte.weight"])
    x = W["wte.weight"][ids] + W["wpe.weight"][:T]
    for i in range(L):
        p = "h.%d." % i
        h = F.layer_norm(x, (H,), W[p + "ln_1.weight"], W[p + "ln_1.bias"], eps)
        qkv = torch.addmm(W[p + "attn.c_attn.bias"], h.view(-1, H), W[p + "attn.c_attn.weight"]).view(B, T, 3, NH, HD)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        z = attention(q, k, v, causal)
        x = x + torch.addmm(W[p + "attn.c_proj.bias"], z, W[p + "attn.c_proj.weight"]).view(B, T, H)
        h = F.layer_norm(x, (H,), W[p + "ln_2.weight"], W[p + "ln_2.bias"], eps)
        m = F.gelu(torch.addmm(W[p + "mlp.c_fc.bias"], h.view(-1, H), W[p + "mlp.c_fc.weight"]), approximate="tanh")
        x = x + torch.addmm(W[p + "mlp.c_proj.bias"], m, W[p + "mlp.c_proj.weight"]).view(B, T, H)
    x = F.layer_norm(x, (H,), W["ln_f.weight"], W["ln_f.bias"], eps)
    return x @ head.t()


def llama(ids):
    H, L, NH = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"]
    NKV, HD, eps = cfg.get("num_key_value_heads", NH), H // NH, cfg.get("rms_norm_eps", 1e-6)
    theta = cfg.get("rope_theta", 10000.0)
    head = W.get("lm_head.weight", W["model.embed_tokens.weight"])
    freqs = torch.outer(torch.arange(T, dtype=torch.float32), 1.0 / theta ** (torch.arange(0, HD, 2, dtype=torch.float32) / HD))
    cos, sin = torch.cat((freqs, freqs), -1).cos(), torch.cat((freqs, freqs), -1).sin()

    def rms(x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def rope(x):   # rotate-half convention, x [B, heads, T, HD]
        x1, x2 = x[..., :HD // 2], x[..., HD // 2:]
        return x * cos + torch.cat((-x2, x1), -1) * sin

    x = W["model.embed_tokens.weight"][ids]
    for i in range(L):
        p = "model.layers.%d." % i
        h = rms(x, W[p + "input_layernorm.weight"]).view(-1, H)
        q = rope(F.linear(h, W[p + "self_attn.q_proj.weight"]).view(B, T, NH, HD).transpose(1, 2))
        k = rope(F.linear(h, W[p + "self_attn.k_proj.weight"]).view(B, T, NKV, HD).transpose(1, 2))
        v = F.linear(h, W[p + "self_attn.v_proj.weight"]).view(B, T, NKV, HD).transpose(1, 2)
        k, v = k.repeat_interleave(NH // NKV, dim=1), v.repeat_interleave(NH // NKV, dim=1)
        x = x + F.linear(attention(q, k, v, causal), W[p + "self_attn.o_proj.weight"]).view(B, T, H)
        h = rms(x, W[p + "post_attention_layernorm.weight"]).view(-1, H)
        m = F.silu(F.linear(h, W[p + "mlp.gate_proj.weight"])) * F.linear(h, W[p + "mlp.up_proj.weight"])
        x = x + F.linear(m, W[p + "mlp.down_proj.weight"]).view(B, T, H)
    return rms(x, W["model.norm.weight"]) @ head.t()


def bert(ids):
    H, L, NH = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"]
    HD, eps = H // NH, cfg.get("layer_norm_eps", 1e-12)
    e = "bert.embeddings."
    x = W[e + "word_embeddings.weight"][ids] + W[e + "position_embeddings.weight"][:T] + W[e + "token_type_embeddings.weight"][0]
    x = F.layer_norm(x, (H,), W[e + "LayerNorm.weight"], W[e + "LayerNorm.bias"], eps).view(-1, H)
    for i in range(L):
        p = "bert.encoder.layer.%d." % i

        def proj(name, h):
            return F.linear(h, W[p + name + ".weight"], W[p + name + ".bias"])

        def heads(t):
            return t.view(B, T, NH, HD).transpose(1, 2)

        z = attention(heads(proj("attention.self.query", x)), heads(proj("attention.self.key", x)), heads(proj("attention.self.value", x)), None)
        a = F.layer_norm(x + proj("attention.output.dense", z), (H,), W[p + "attention.output.LayerNorm.weight"], W[p + "attention.output.LayerNorm.bias"], eps)
        m = F.gelu(proj("intermediate.dense", a))
        x = F.layer_norm(a + proj("output.dense", m), (H,), W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"], eps)
    c = "cls.predictions."
    h = F.gelu(F.linear(x, W[c + "transform.dense.weight"], W[c + "transform.dense.bias"]))
    h = F.layer_norm(h, (H,), W[c + "transform.LayerNorm.weight"], W[c + "transform.LayerNorm.bias"], eps)
    decoder = W.get(c + "decoder.weight", W[e + "word_embeddings.weight"])
    return (F.linear(h, decoder) + W[c + "bias"]).view(B, T, -1)


forward = {"gpt2": gpt2, "llama": llama, "bert": bert}.get(kind)
if forward is None:
    print(json.dumps({"error": "the torch forward implements gpt2, llama and bert, not %r" % kind}), flush=True)
    sys.exit(1)

print(json.dumps({"ready": True, "openblas": reference_threads.controls_openblas()}), flush=True)
logits = None
with torch.no_grad():
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("run") == "forward":
            threads, blas = reference_threads.set_threads(request.get("threads", 1), request.get("blas"))
            t0 = time.perf_counter()
            logits = forward(ids)
            print(json.dumps({"seconds": time.perf_counter() - t0, "threads": threads, "blas": blas}), flush=True)
        elif request.get("run") == "rss":
            import resource
            print(json.dumps({"peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}), flush=True)
        elif request.get("run") == "logits":
            print(json.dumps({"last_logits": forward(ids)[0, -1].tolist()}), flush=True)
        else:
            print(json.dumps({"error": "unknown request %r" % line.strip()}), flush=True)
