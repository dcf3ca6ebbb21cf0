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
}
