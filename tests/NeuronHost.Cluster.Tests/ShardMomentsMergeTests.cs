using NeuronHost.Cluster.Contracts;
using NeuronHost.Cluster.Statistics;
using NeuronHost.Kernels.Cpu;

namespace NeuronHost.Cluster.Tests;

/// <summary>The silos' shard moments (<see cref="ShardStatistics"/> over shard files) merged with
/// Chan's formula (<see cref="ShardMomentsMerge"/>) against a two-pass float64 computation over all
/// train rows at once; uneven shards, a shard without a class, one without train rows, and
/// activations far from zero (where a one-pass Σx² would lose the variance).</summary>
public sealed class ShardMomentsMergeTests
{
    [Fact]
    public void Merged_shard_moments_equal_a_two_pass_computation_over_all_train_rows_whatever_order_they_arrive_in()
    {
        const int columns = 37, classes = 4;
        int[] shardRows = [300, 1, 57, 0, 211, 40];
        var rng = new Random(5);
        var folder = Directory.CreateTempSubdirectory("nh-moments-");
        try
        {
            var all = new List<(float[] Row, int Label)>();
            var moments = new List<ShardMoments>();
            for (int s = 0; s < shardRows.Length; s++)
            {
                int n = shardRows[s];
                var values = new float[n * columns];
                var labels = new int[n];
                for (int r = 0; r < n; r++)
                {
                    // Shard 2 has no class 3; shard 5 has no train rows at all.
                    labels[r] = s == 5 ? -1 : rng.Next(-1, s == 2 ? classes - 1 : classes);
                    for (int j = 0; j < columns; j++)
                        values[r * columns + j] = (float)(1000 + j + (labels[r] + 1) * 0.25 + rng.NextDouble() * 0.01);
                    if (labels[r] >= 0) all.Add((values.AsSpan(r * columns, columns).ToArray(), labels[r]));
                }
                string file = Path.Combine(folder.FullName, $"shard-{s}.f32");
                File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
                moments.Add(ShardStatistics.Compute(file, s, columns, classes, labels, new CpuKernels(2), CancellationToken.None));
            }
            Assert.Empty(moments[5].Classes);
            Assert.DoesNotContain(3, moments[2].Classes);

            var merged = ShardMomentsMerge.Merge(moments, classes, columns);
            for (int c = 0; c < classes; c++)
            {
                var rows = all.Where(x => x.Label == c).Select(x => x.Row).ToList();
                Assert.Equal(rows.Count, merged.Counts[c]);
                for (int j = 0; j < columns; j++)
                {
                    double mean = rows.Sum(r => (double)r[j]) / rows.Count;
                    double variance = rows.Sum(r => (r[j] - mean) * (r[j] - mean)) / rows.Count;
                    Assert.True(Math.Abs(merged.Means[c * columns + j] - mean) <= 1e-12 * Math.Abs(mean), $"class {c} neuron {j} mean {merged.Means[c * columns + j]} vs {mean}");
                    Assert.True(Math.Abs(merged.Variances[c * columns + j] - variance) <= 1e-7 * variance, $"class {c} neuron {j} variance {merged.Variances[c * columns + j]} vs {variance}");
                }
            }
            for (int j = 0; j < columns; j++)
            {
                double mean = all.Sum(x => (double)x.Row[j]) / all.Count;
                double variance = all.Sum(x => (x.Row[j] - mean) * (x.Row[j] - mean)) / all.Count;
                Assert.True(Math.Abs(merged.OverallMean[j] - mean) <= 1e-12 * Math.Abs(mean));
                Assert.True(Math.Abs(merged.OverallVariance[j] - variance) <= 1e-9 * variance, $"neuron {j} variance {merged.OverallVariance[j]} vs {variance}");
                Assert.Equal(all.Min(x => x.Row[j]), merged.Min[j]);
                Assert.Equal(all.Max(x => x.Row[j]), merged.Max[j]);
            }
            // Silos finish in any order; the merge is in shard order, so the bits do not depend on it.
            var shuffled = ShardMomentsMerge.Merge(moments.OrderBy(_ => rng.Next()).ToList(), classes, columns);
            Assert.Equal(merged.Means, shuffled.Means);
            Assert.Equal(merged.Variances, shuffled.Variances);
            var twice = Assert.Throws<InvalidOperationException>(() => ShardMomentsMerge.Merge([moments[0], moments[0]], classes, columns));
            Assert.Contains("shard 0", twice.Message);
        }
        finally { folder.Delete(recursive: true); }
    }
}
