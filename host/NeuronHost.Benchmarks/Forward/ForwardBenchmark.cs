using System.Globalization;
using NeuronHost.Benchmarks.Harness;
using NeuronHost.Kernels.Blas;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Forward;

/// <summary>Forward throughput of one batch, ours next to PyTorch eager, in interleaved rounds
/// (<see cref="Rounds"/>). PyTorch runs the same GPT-2 forward written directly in torch ops
/// from the same safetensors (Forward/torch_forward.py), at its fastest thread count (tried
/// first); both compute logits at every position.</summary>
public sealed record ForwardBenchmarkResult(
    string Model, int Batch, int SequenceLength, int Threads, string Gemm,
    Sample Ours, Sample? Torch, int TorchThreads, string TorchThreadTrials, Sample? SpeedUp, double? MaxLogitDifference, string? TorchProblem, string Load)
{
    public double TokensPerSecond => Batch * SequenceLength / Ours.Median;

    public override string ToString()
    {
        var tokens = new Sample(Ours.Values.Select(t => Batch * SequenceLength / t));
        var s = $"{Model}: forward {Batch} × {SequenceLength} tokens, ours {Threads} threads, {Gemm}; {Ours.Values.Count} interleaved rounds, load average {Load}\n" +
                $"  NeuronHost     {tokens.Describe("F0", " tokens/s")}\n";
        if (Torch is { } t && SpeedUp is { } r)
        {
            var torchTokens = new Sample(t.Values.Select(x => Batch * SequenceLength / x));
            s += $"  PyTorch eager  {torchTokens.Describe("F0", " tokens/s")} at {TorchThreads} thread{(TorchThreads == 1 ? "" : "s")} (fastest of {TorchThreadTrials})\n" +
                 $"  ours ÷ PyTorch {r.Describe("F2", "×")} (round by round); max |Δlogit| vs torch {MaxLogitDifference:E1}";
        }
        else s += $"  PyTorch eager  not measured: {TorchProblem}";
        return s;
    }
}

public static class ForwardBenchmark
{
    /// <summary>Alternates <paramref name="rounds"/> (≥ 5) forwards of ours and of PyTorch on a
    /// batch of <paramref name="batch"/> sequences of <paramref name="length"/> tokens.
    /// <paramref name="threads"/> (0 = all cores) limits OpenBLAS and is the largest torch thread count tried.</summary>
    public static ForwardBenchmarkResult Run(string modelDir, int batch = 16, int length = 128, int rounds = 5,
        bool withTorch = true, int threads = 0, TextWriter? log = null, CancellationToken cancellation = default)
    {
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        Gemm.SetThreads(threads);
        using var session = ModelLoader.Load(modelDir);
        var c = session.Config;
        length = Math.Min(length, c.MaxPositions);
        var sequences = Enumerable.Range(0, batch).Select(b => Enumerable.Range(0, length).Select(j => Id(b, j, c.Vocab)).ToArray()).ToArray();
        var request = new ForwardRequest(sequences) { Logits = LogitsMode.All };
        float[] lastLogits = [];
        double Ours() => Rounds.Time(() => lastLogits = session.Forward(request, cancellation).Logits[0].Row(length - 1).ToArray());

        string? problem = !withTorch ? "skipped" : c.Family != "gpt2" ? "the torch script implements GPT-2 only" : null;
        using var torch = problem is null
            ? ReferenceProcess.Start(Path.Combine(AppContext.BaseDirectory, "Forward", "torch_forward.py"),
                [Path.GetFullPath(modelDir), batch.ToString(CultureInfo.InvariantCulture), length.ToString(CultureInfo.InvariantCulture)], out problem)
            : null;
        var sides = new List<Rounds.Side> { new("ours", Ours) };
        int torchThreads = 0; string trials = "";
        if (torch is not null)
        {
            var (best, tried) = Rounds.BestThreadCount(threads, t => torch.Seconds("forward", t), trials: 2);
            torchThreads = best;
            trials = string.Join(", ", tried.Select(kv => $"{kv.Key}: {kv.Value.Median:F2} s"));
            log?.WriteLine($"  PyTorch threads: {trials} → {best}");
            sides.Add(new("torch", () => torch.Seconds("forward", torchThreads)));
        }
        var res = Rounds.Run(rounds, sides, log: log);
        double? diff = null;
        if (torch is not null)
        {
            var theirs = torch.Call(new { run = "logits" }).GetProperty("last_logits").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            diff = theirs.Zip(lastLogits, (a, b) => Math.Abs(a - b)).Max();
        }
        return new ForwardBenchmarkResult(session.Info.Name, batch, length, threads, Gemm.Implementation, res["ours"],
            torch is not null ? res["torch"] : null, torchThreads, trials, torch is not null ? res.SpeedUp("ours", "torch") : null, diff, problem, res.Load);
    }

    /// <summary>The deterministic token ids both sides use.</summary>
    private static int Id(int sequence, int position, int vocab) => (int)((sequence * 131L + position * 31L + 7) % vocab);
}
