using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuronHost.Kernels.Blas;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Models;

/// <summary>Forward throughput of one batch, next to PyTorch eager. Torch runs the same GPT-2
/// forward written directly in torch ops from the same safetensors, with the same batch and
/// thread count; both compute logits at every position.</summary>
public sealed record ForwardBenchmarkResult(
    string Model, int Batch, int SequenceLength, int Threads, string Gemm,
    double TokensPerSecond, double? TorchTokensPerSecond, double? MaxLogitDifference, string? TorchProblem,
    double TokensPerCpuSecond = 0, double? TorchTokensPerCpuSecond = null)
{
    public double? Ratio => TorchTokensPerSecond is { } t && t > 0 ? TokensPerSecond / t : null;
    /// <summary>The same ratio by CPU time (robust when other processes share the cores).</summary>
    public double? CpuRatio => TorchTokensPerCpuSecond is { } t && t > 0 ? TokensPerCpuSecond / t : null;

    public override string ToString()
    {
        var s = $"{Model}: forward {Batch} × {SequenceLength} tokens, {Threads} threads, {Gemm}\n" +
                $"  NeuronHost     {TokensPerSecond,10:F0} tokens/s\n";
        s += TorchTokensPerSecond is { } t
            ? $"  PyTorch eager  {t,10:F0} tokens/s\n  ratio          {Ratio,10:F2}×   (max |Δlogit| vs torch {MaxLogitDifference:E1})\n" +
              $"  per CPU-second {TokensPerCpuSecond,10:F0} vs {TorchTokensPerCpuSecond:F0} tokens: {CpuRatio:F2}×"
            : $"  PyTorch eager  not measured: {TorchProblem}";
        return s;
    }
}

public static class ForwardBenchmark
{
    /// <summary>Times <paramref name="iterations"/> forwards (median) of a batch of
    /// <paramref name="batch"/> sequences of <paramref name="length"/> tokens, then the torch
    /// equivalent when python3 with torch is installed (GPT-2 checkpoints only).</summary>
    public static ForwardBenchmarkResult Run(string modelDir, int batch = 16, int length = 128, int iterations = 5,
        bool withTorch = true, IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        using var session = ModelLoader.Load(modelDir);
        var c = session.Config;
        length = Math.Min(length, c.MaxPositions);
        int threads = Environment.ProcessorCount;
        var sequences = Enumerable.Range(0, batch).Select(b => Enumerable.Range(0, length).Select(j => Id(b, j, c.Vocab)).ToArray()).ToArray();
        var request = new ForwardRequest(sequences) { Logits = LogitsMode.All };

        session.Forward(request, cancellation); // warm-up: JIT, page in the mapped weights
        var times = new List<double>();
        float[] lastLogits = [];
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < iterations; i++)
        {
            progress?.Report(new ProgressReport("forward benchmark", i, iterations, "iterations"));
            var sw = Stopwatch.StartNew();
            var result = session.Forward(request, cancellation);
            times.Add(sw.Elapsed.TotalSeconds);
            lastLogits = result.Logits[0].Row(length - 1).ToArray();
        }
        double ours = batch * length / Median(times);
        double oursCpu = (double)batch * length * iterations / (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;

        double? torch = null, torchCpu = null, diff = null;
        string? problem = null;
        if (!withTorch) problem = "skipped";
        else if (c.Family != "gpt2") problem = "the torch script implements GPT-2 only";
        else
        {
            try
            {
                var (tokensPerSecond, perCpuSecond, logits) = RunTorch(modelDir, batch, length, iterations, threads);
                torch = tokensPerSecond;
                torchCpu = perCpuSecond;
                diff = logits.Zip(lastLogits, (a, b) => Math.Abs(a - b)).Max();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or JsonException or TimeoutException)
            {
                problem = e.Message.Split('\n').Last(l => l.Trim().Length > 0);
            }
        }
        return new ForwardBenchmarkResult(session.Info.Name, batch, length, threads, Gemm.Implementation, ours, torch, diff, problem, oursCpu, torchCpu);
    }

    /// <summary>The deterministic token ids both sides use.</summary>
    private static int Id(int sequence, int position, int vocab) => (int)((sequence * 131L + position * 31L + 7) % vocab);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static (double TokensPerSecond, double TokensPerCpuSecond, float[] LastLogits) RunTorch(string modelDir, int batch, int length, int iterations, int threads)
    {
        string script = TorchScript
            .Replace("@DIR@", JsonSerializer.Serialize(Path.GetFullPath(modelDir)))
            .Replace("@B@", batch.ToString(CultureInfo.InvariantCulture))
            .Replace("@T@", length.ToString(CultureInfo.InvariantCulture))
            .Replace("@N@", iterations.ToString(CultureInfo.InvariantCulture))
            .Replace("@THREADS@", threads.ToString(CultureInfo.InvariantCulture));
        // Debian's python3-torch lives with the system interpreter; a pyenv python3 on PATH lacks it.
        string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var psi = new ProcessStartInfo(python, ["-"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start python3");
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(true); throw new TimeoutException("torch benchmark timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"python3 torch benchmark failed:\n{stderr.Result}");
        using var doc = JsonDocument.Parse(stdout.Result.Trim().Split('\n').Last());
        var root = doc.RootElement;
        return (root.GetProperty("tokens_per_second").GetDouble(), root.GetProperty("tokens_per_cpu_second").GetDouble(),
                root.GetProperty("last_logits").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray());
    }

    private const string TorchScript = """
import json, os, struct, time
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(@THREADS@)
d = @DIR@
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

H, L, NH = cfg["n_embd"], cfg["n_layer"], cfg["n_head"]
HD, eps, V = H // NH, cfg.get("layer_norm_epsilon", 1e-5), cfg["vocab_size"]
B, T, N = @B@, @T@, @N@
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

with torch.no_grad():
    logits = forward(ids)
    times = []
    cpu0 = time.process_time()
    for _ in range(N):
        t0 = time.perf_counter()
        logits = forward(ids)
        times.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu0
times.sort()
print(json.dumps({"tokens_per_second": B * T / times[len(times) // 2], "threads": torch.get_num_threads(),
                  "tokens_per_cpu_second": B * T * N / cpu,
                  "last_logits": logits[0, -1].tolist()}))
""";
}
