using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;
using Xunit.Abstractions;

namespace NeuronHost.Plugins.Tests;

/// <summary>The linear probe's passes give the same bits however the rows are shared out: over 1,
/// 2, 3 or 5 threads, and as the merged partial sums of row ranges held apart (as a cluster's
/// shards would hold them).</summary>
public class ExactPassTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(10_300)]   // 512-row segments
    [InlineData(41_000)]   // 2,048-row segments
    public void Loss_and_gradient_do_not_depend_on_the_thread_count(int n)
    {
        const int d = 37, classes = 6;
        var (x, y, mean, invStd, w, b) = Problem(n, d, classes, seed: 12);
        int valid = y.Count(v => v >= 0);
        var (value1, gw1, gb1) = Pass(new SoftmaxObjective(x, n, d, classes, y, valid, mean, invStd, new ElasticNetOptions(), partitions: 1), w, b);
        foreach (int partitions in new[] { 2, 3, 5 })
        {
            var (value, gw, gb) = Pass(new SoftmaxObjective(x, n, d, classes, y, valid, mean, invStd, new ElasticNetOptions(), partitions), w, b);
            Assert.Equal(BitConverter.DoubleToInt64Bits(value1), BitConverter.DoubleToInt64Bits(value));
            Assert.Equal(gw1, gw);
            Assert.Equal(gb1, gb);
        }
    }

    [Theory]
    [InlineData(7_000)]
    [InlineData(40_000)]
    public void Rows_held_apart_on_the_segment_grid_merge_into_the_whole_pass(int n)
    {
        const int d = 29, classes = 5;
        var (x, y, mean, invStd, w, b) = Problem(n, d, classes, seed: 21);
        int valid = y.Count(v => v >= 0);
        var whole = new SoftmaxObjective(x, n, d, classes, y, valid, mean, invStd, new ElasticNetOptions());
        var (value, gw, gb) = Pass(whole, w, b);
        // three holders: rows [0, S), [S, 3·S), [3·S, n) for the grid's S, each with only its own rows
        // (the mean over all labelled rows still needs their count)
        int segment = SoftmaxObjective.SegmentRowsFor(n);
        int[] cuts = [0, segment, 3 * segment, n];
        PassSums? merged = null;
        foreach (int s in new[] { 2, 0, 1 })   // merged out of order on purpose
        {
            int lo = cuts[s], rows = cuts[s + 1] - lo;
            var shard = new SoftmaxObjective(x[(lo * d)..((lo + rows) * d)], rows, d, classes, y[lo..(lo + rows)], valid, mean, invStd, new ElasticNetOptions(), totalRows: n);
            var sums = shard.SumPass(w, b, 0, rows);
            if (merged is null) merged = sums; else merged.Merge(sums);
        }
        var mw = new float[w.Length]; var mb = new float[classes];
        double mergedValue = whole.ValueAndGradient(merged!, w, mw, mb);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(mergedValue));
        Assert.Equal(gw, mw);
        Assert.Equal(gb, mb);
        // a cut off the grid is not promised to match: it splits a segment's float sum in two
        var offGrid = new SoftmaxObjective(x[(1000 * d)..], n - 1000, d, classes, y[1000..], valid, mean, invStd, new ElasticNetOptions(), totalRows: n).SumPass(w, b, 0, n - 1000);
        offGrid.Merge(whole.SumPass(w, b, 0, 1000));
        var ow = new float[w.Length]; var ob = new float[classes];
        whole.ValueAndGradient(offGrid, w, ow, ob);
        output.WriteLine($"off the grid: {Enumerable.Range(0, gw.Length).Count(k => gw[k] != ow[k])} of {gw.Length} gradient entries differ in their last bits");
    }

    /// <summary>The whole probe — moments, Adam warm-up, OWL-QN, early stopping on dev — on real
    /// activations (gpt2-mini-brown layer 1 FFN over EWT, UPOS): the same model to the bit on 1 and
    /// 3 threads.</summary>
    [SharedFact]
    public void A_probe_trained_on_real_activations_is_the_same_on_one_and_three_threads()
    {
        var (x, y, rows, features, classes, dev) = EwtUposSlice.Layer1();
        SoftmaxModel Fit(int partitions) => ElasticNetTrainer.Fit(x, rows, features, y, classes,
            new ElasticNetOptions { MaxIterations = 40, Partitions = partitions }, earlyStopping: dev);
        var one = Fit(1);
        var three = Fit(3);
        output.WriteLine($"{rows:N0} train rows × {features} neurons, {classes} classes: {one.Iterations} iterations, objective {one.Objective:R}, dev {one.DevChecks.Max(c => c.Accuracy):P2}");
        Assert.Equal(one.Weights, three.Weights);
        Assert.Equal(one.Bias, three.Bias);
        Assert.Equal(one.Objective, three.Objective);
        Assert.Equal(one.DevChecks.Select(c => c.Accuracy), three.DevChecks.Select(c => c.Accuracy));
        Assert.True(one.DevChecks.Max(c => c.Accuracy) > 0.8, "a probe on real FFN activations should tag UPOS far above the majority class");
    }

    private static (float[] X, int[] Y, float[] Mean, float[] InvStd, float[] W, float[] B) Problem(int n, int d, int classes, int seed)
    {
        var (x, y) = TestData.Generate(n, d, classes, seed, informative: 10, signal: 0.5);
        for (int i = 0; i < n; i += 17) y[i] = -1;   // some unlabelled rows
        var (mean, invStd) = ElasticNetTrainer.ColumnMoments(x, n, d);
        var rng = new Random(seed);
        var w = Enumerable.Range(0, d * classes).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var b = Enumerable.Range(0, classes).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        return (x, y, mean, invStd, w, b);
    }

    private static (double Value, float[] Gw, float[] Gb) Pass(SoftmaxObjective problem, float[] w, float[] b)
    {
        var gw = new float[w.Length]; var gb = new float[b.Length];
        double value = problem.ValueAndGradient(w, b, gw, gb);
        return (value, gw, gb);
    }
}
