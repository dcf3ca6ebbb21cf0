using System.Globalization;
using NeuronHost.Benchmarks.Harness;
using NeuronHost.Kernels.Blas;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Forward;

/// <summary>Forward throughput of one batch, ours next to PyTorch eager, in interleaved rounds
/// (<see cref="Rounds"/>). PyTorch runs the same GPT-2, Llama or BERT forward written directly in torch ops
/// from the same safetensors (Forward/torch_forward.py), at its fastest thread count (tried
/// first); both compute logits at every position. A third side, the <see cref="GemmFloor"/>, times
/// the forward's weight products alone through OpenBLAS in the same rounds: the limit the
/// forward is judged against.</summary>
public sealed record ForwardBenchmarkResult(
    string Model, int Batch, int SequenceLength, int Threads, string Gemm,
    Sample Ours, Sample? Torch, int TorchThreads, string TorchThreadTrials, Sample? SpeedUp, double? MaxLogitDifference, string? TorchProblem, string Load,
    Sample? Floor = null, Sample? OursOverFloor = null, double FloorFlops = 0)
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
        if (Floor is { } f && OursOverFloor is { } of)
        {
            var rate = new Sample(f.Values.Select(x => FloorFlops / x / 1e9));
            s += $"\n  SGEMM floor    {f.Describe("F3", " s")} for the weight products alone ({FloorFlops / 1e9:F1} GFLOP, {rate.Describe("F1", " GFLOP/s")}); ours ÷ floor {of.Describe("F2", "×")} (time, round by round)";
            if (Torch is { } tt)
            {
                double goal = tt.Median / 1.5;
                s += $"\n  1.5× PyTorch's median would need {goal:F3} s: {goal / f.Median:P0} of the floor's median time";
            }
        }
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

        string? problem = !withTorch ? "skipped" : c.ModelType is "gpt2" or "llama" or "bert" ? null : $"the torch script implements gpt2, llama and bert, not {c.ModelType}";
        using var torch = problem is null
            ? ReferenceProcess.Start(Path.Combine(AppContext.BaseDirectory, "Forward", "torch_forward.py"),
                [Path.GetFullPath(modelDir), batch.ToString(CultureInfo.InvariantCulture), length.ToString(CultureInfo.InvariantCulture)], out problem)
            : null;
        var floor = new GemmFloor(c, batch * length);
        var sides = new List<Rounds.Side> { new("ours", Ours), new("floor", floor.Seconds) };
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
            torch is not null ? res["torch"] : null, torchThreads, trials, torch is not null ? res.SpeedUp("ours", "torch") : null, diff, problem, res.Load,
            res["floor"], Sample.Ratio(res["ours"], res["floor"]), floor.Flops);
    }

    /// <summary>The deterministic token ids both sides use.</summary>
    private static int Id(int sequence, int position, int vocab) => (int)((sequence * 131L + position * 31L + 7) % vocab);
}
