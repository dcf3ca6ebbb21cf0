using System.Globalization;
using NeuronHost.Benchmarks.Harness;
using NeuronHost.Tests.Common;

namespace NeuronHost.Benchmarks.Tests;

/// <summary>The benchmark discipline itself: quantiles as numpy computes them, rounds that
/// alternate and rotate, and the reference's thread count chosen by its measured medians.</summary>
public sealed class HarnessTests
{
    [PythonModuleFact("numpy")]
    public void Sample_median_and_quartiles_equal_numpys()
    {
        var values = new[] { 3.5, 0.25, 9.0, 1.75, 4.0, 2.5, 8.125 };
        var s = new Sample(values);
        string list = string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var expected = PythonReference.RunOrThrow($"import numpy as np\nfor q in (25, 50, 75): print(repr(float(np.percentile([{list}], q))))")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected[0], s.Quantile(0.25), 12);
        Assert.Equal(expected[1], s.Median, 12);
        Assert.Equal(expected[2], s.Quantile(0.75), 12);
        Assert.Equal(0.25, s.Min);
        Assert.Equal(9.0, s.Max);
    }

    [Fact]
    public void Rounds_alternate_every_side_rotate_the_order_and_keep_at_least_five()
    {
        var calls = new List<string>();
        double Side(string name, double seconds) { calls.Add(name); return seconds; }
        var result = Rounds.Run(2, [new("a", () => Side("a", 1)), new("b", () => Side("b", 4)), new("c", () => Side("c", 2))]);
        // one warm-up each, then 5 rounds (2 was asked: the minimum wins) in rotated order
        Assert.Equal(["a", "b", "c", "a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c", "b", "c", "a"], calls);
        Assert.Equal(5, result["a"].Values.Count);
        Assert.Equal(4.0, result.SpeedUp("a", "b").Median);   // b's time ÷ a's time, round by round
        Assert.NotEqual("", result.LoadBefore);
    }

    [Fact]
    public void Best_thread_count_is_the_lowest_median_not_the_highest_count()
    {
        // 1 thread: 1.0 s; 2 threads: 0.6 s; 3: 0.8 s; 4: 2.0 s (oversubscribed)
        var seconds = new Dictionary<int, double> { [1] = 1.0, [2] = 0.6, [3] = 0.8, [4] = 2.0 };
        var (best, tried) = Rounds.BestThreadCount(4, t => seconds[t], trials: 2);
        Assert.Equal(2, best);
        Assert.Equal([1, 2, 3, 4], tried.Keys.Order().ToArray());
        Assert.Equal(2.0, tried[4].Median);
    }

    [Fact]
    public void Best_reference_threads_try_torchs_and_openblass_counts_apart()
    {
        // torch at 1 with OpenBLAS at 2 is what a loaded 2-core machine favoured; both counts are tried
        var seconds = new Dictionary<ReferenceThreads, double> { [new(1, 1)] = 2.8, [new(1, 2)] = 2.0, [new(2, 1)] = 2.9, [new(2, 2)] = 2.6 };
        var (best, tried) = Rounds.BestThreads(2, setsOpenBlas: true, t => seconds[t], trials: 2);
        Assert.Equal(new ReferenceThreads(1, 2), best);
        Assert.Equal(4, tried.Count);
        Assert.Equal("1 thread + OpenBLAS 2", best.ToString());
        // a torch whose BLAS follows its own count: torch's count alone
        var (only, onlyTried) = Rounds.BestThreads(2, setsOpenBlas: false, t => t.Torch == 2 ? 1.0 : 2.0, trials: 2);
        Assert.Equal(new ReferenceThreads(2, null), only);
        Assert.Equal([new ReferenceThreads(1, null), new ReferenceThreads(2, null)], onlyTried.Keys.OrderBy(t => t.Torch).ToArray());
        Assert.Equal("2 threads", only.ToString());
    }

    /// <summary>torch.set_num_threads does not reach OpenBLAS's pool (Debian's torch multiplies
    /// through OpenBLAS): the references set both, and OpenBLAS itself reports the count set.</summary>
    [PythonModuleFact("torch")]
    public void Reference_threads_reach_openblas_which_torch_alone_does_not()
    {
        string harness = Path.Combine(AppContext.BaseDirectory, "Harness");
        Assert.True(File.Exists(Path.Combine(harness, "reference_threads.py")), "reference_threads.py is not shipped beside the benchmarks");
        string output = PythonReference.RunOrThrow($$"""
            import ctypes, sys
            sys.path.insert(0, {{System.Text.Json.JsonSerializer.Serialize(harness)}})
            import torch, reference_threads
            assert reference_threads.controls_openblas()
            blas = [ctypes.CDLL(l.split()[-1]) for l in open("/proc/self/maps") if "openblas" in l.split()[-1]][0]
            torch.set_num_threads(1)
            print(blas.openblas_get_num_threads())
            for t, b in ((1, 1), (1, 2), (2, 1)):
                print(reference_threads.set_threads(t, b), torch.get_num_threads(), blas.openblas_get_num_threads())
            """);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("(1, 1) 1 1", lines[1]);
        Assert.Equal("(1, 2) 1 2", lines[2]);
        Assert.Equal("(2, 1) 2 1", lines[3]);
    }
}
