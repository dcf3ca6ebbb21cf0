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
    Sample Ours, Sample? Torch, ReferenceThreads? TorchThreads, string TorchThreadTrials, Sample? SpeedUp, double? MaxLogitDifference, string? TorchProblem, string Load,
    Sample? Floor = null, Sample? OursOverFloor = null, double FloorFlops = 0,
    long OursPeakRss = 0, bool OursPeakFromLoad = false, long TorchPeakRss = 0)
{
    public double TokensPerSecond => Batch * SequenceLength / Ours.Median;
    /// <summary>Size of the checkpoint's model.safetensors (0 if it has none).</summary>
    public long CheckpointBytes { get; init; }
    private const double GiB = 1 << 30;

    public override string ToString()
    {
        var tokens = new Sample(Ours.Values.Select(t => Batch * SequenceLength / t));
        var s = $"{Model}: forward {Batch} × {SequenceLength} tokens, ours {Threads} threads, {Gemm}; {Ours.Values.Count} interleaved rounds, load average {Load}\n" +
                $"  NeuronHost     {tokens.Describe("F0", " tokens/s")}\n";
        if (Torch is { } t && SpeedUp is { } r)
        {
            var torchTokens = new Sample(t.Values.Select(x => Batch * SequenceLength / x));
            s += $"  PyTorch eager  {torchTokens.Describe("F0", " tokens/s")} at {TorchThreads}{(TorchThreadTrials.Length > 0 ? $" (fastest of {TorchThreadTrials})" : "")}\n" +
                 $"  ours ÷ PyTorch {r.Describe("F2", "×")} (round by round); max |Δlogit| vs torch {MaxLogitDifference:E1}";
        }
        else s += $"  PyTorch eager  not measured: {TorchProblem}";
        if (OursPeakRss > 0)
            s += $"\n  peak RSS       ours {OursPeakRss / GiB:F2} GiB{(OursPeakFromLoad ? "" : " (process lifetime)")} after loading and three forwards" +
                 (TorchPeakRss > 0 ? $"; PyTorch {TorchPeakRss / GiB:F2} GiB after loading and its thread trials ({(double)OursPeakRss / TorchPeakRss:F2}×)" : "") +
                 (CheckpointBytes > 0 ? $"; model.safetensors is {CheckpointBytes / GiB:F2} GiB" : "");
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
        // Peak memory from here: what earlier benchmarks in this process left is collected and
        // returned to the system first, so the peak is the runtime, the model and its forward.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        bool peakFromHere = Store.StoreBenchmark.ResetPeak();
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
        // Three forwards before the floor's buffers exist: the peak below is the forwards' own,
        // with the garbage of repeated forwards (PyTorch's peak is taken after its thread trials).
        for (int i = 0; i < 3; i++) Ours();
        long oursPeak = Store.StoreBenchmark.PeakRss();
        var floor = new GemmFloor(c, batch * length);
        var sides = new List<Rounds.Side> { new("ours", Ours), new("floor", floor.Seconds) };
        ReferenceThreads? torchThreads = null; string trials = "";
        if (torch is not null)
        {
            var (best, tried) = Rounds.BestThreads(threads, torch.SetsOpenBlas, t => torch.Seconds("forward", t), trials: 2);
            torchThreads = best;
            trials = string.Join(", ", tried.Select(kv => $"{kv.Key}: {kv.Value.Median:F2} s"));
            log?.WriteLine($"  PyTorch threads: {trials} → {best}");
            sides.Add(new("torch", () => torch.Seconds("forward", best)));
        }
        var res = Rounds.Run(rounds, sides, log: log);
        double? diff = null;
        long torchPeak = 0;
        if (torch is not null)
        {
            torchPeak = torch.Call(new { run = "rss" }).GetProperty("peak_rss_bytes").GetInt64();
            var theirs = torch.Call(new { run = "logits" }).GetProperty("last_logits").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            diff = theirs.Zip(lastLogits, (a, b) => Math.Abs(a - b)).Max();
        }
        return new ForwardBenchmarkResult(session.Info.Name, batch, length, threads, Gemm.Implementation, res["ours"],
            torch is not null ? res["torch"] : null, torchThreads, trials, torch is not null ? res.SpeedUp("ours", "torch") : null, diff, problem, res.Load,
            res["floor"], Sample.Ratio(res["ours"], res["floor"]), floor.Flops, oursPeak, peakFromHere, torchPeak)
        {
            CheckpointBytes = new FileInfo(Path.Combine(modelDir, "model.safetensors")) is { Exists: true } file ? file.Length : 0,
        };
    }

    /// <summary>The deterministic token ids both sides use.</summary>
    private static int Id(int sequence, int position, int vocab) => (int)((sequence * 131L + position * 31L + 7) % vocab);
}
