using NeuronHost.Tests.Common;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Tests;

public sealed class CpuKernelTests : KernelContractTests
{
    protected override IComputeKernels Kernels { get; } = new CpuKernels();

    [Fact]
    public void Backend_is_named_and_threads_default_to_the_processor_count()
    {
        Assert.Equal("cpu-simd", Kernels.Backend);
        Assert.Equal(Environment.ProcessorCount, new CpuKernels().Threads);
        Assert.Equal(3, new CpuKernels(3).Threads);
    }

    /// <summary>A matrix that says it has more rows than the top-rows key's 32 bits hold: one clear
    /// error before a block is read (its blocks throw if asked for).</summary>
    [Fact]
    public void Top_activating_rows_refuse_a_matrix_of_more_than_2_to_the_32_rows_before_reading_it()
    {
        var e = Assert.Throws<ArgumentException>(() => Kernels.TopActivatingRows(new ClaimsManyRows(), 5));
        Assert.Equal("top activating rows are kept for up to 4,294,967,295 rows, not 5,000,000,000", e.Message);
    }

    private sealed class ClaimsManyRows : IActivationMatrix
    {
        public long Rows => 5_000_000_000;
        public int Columns => 2;
        public IReadOnlyList<NeuronRef> Neurons { get; } = [new("x", 0), new("x", 1)];
        public int BlockCount => throw new InvalidOperationException("read");
        public ActivationBlock GetBlock(int index) => throw new InvalidOperationException("read");
    }

    /// <summary>Each thread counts in 16 bits and folds before a count could pass 65,535: here one
    /// bin of each neuron gets ~150k of a thread's rows, so a missed fold would wrap.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Histogram_counts_past_16_bits_per_thread_match_the_reference(int threads)
    {
        int rows = 300_007, cols = 9, bins = 4;
        var x = TestData.Matrix(rows, cols, seed: 77);
        for (int i = 0; i < x.Length; i++) if (i % 7 != 0) x[i] = 0.25f;   // 6 in 7 values in one bin
        var expected = NaiveReference.Histograms(x, rows, cols, bins, out _, out _);
        Assert.True(expected.Max() > 2 * ushort.MaxValue);
        var h = new CpuKernels(threads).Histograms(TestData.Dense(x, rows, cols, 40_000), bins);
        Assert.Equal(expected, h.Counts);
    }

    [Fact]
    public void Thread_count_does_not_change_results_beyond_rounding()
    {
        int rows = 5003, cols = 67, classes = 7;
        var labels = TestData.Labels(rows, classes, seed: 31);
        var x = TestData.Matrix(rows, cols, seed: 32, labels: labels);
        var m = TestData.Dense(x, rows, cols, 1000);
        var one = new CpuKernels(1);
        foreach (int threads in new[] { 2, 3 })
        {
            var many = new CpuKernels(threads);
            var m1 = one.ClassMoments(m, labels, classes);
            var m2 = many.ClassMoments(m, labels, classes);
            Assert.Equal(m1.Counts, m2.Counts);
            Close.All(m1.Means, m2.Means, 1e-12, "means");
            Close.All(m1.Variances, m2.Variances, 1e-12, "variances");
            Close.All(m1.OverallVariance, m2.OverallVariance, 1e-12, "overall variance");
            Close.All(one.Correlation(m, m), many.Correlation(m, m), 1e-6, "correlation");
            var t1 = one.TopActivatingRows(m, 9);
            var t2 = many.TopActivatingRows(m, 9);
            Assert.Equal(t1.Rows, t2.Rows);
            Assert.Equal(one.Histograms(m, 13).Counts, many.Histograms(m, 13).Counts);
            var e1 = (float[])x.Clone();
            var e2 = (float[])x.Clone();
            var edit = new NeuronEdit(EditOp.Add, Enumerable.Range(0, cols).ToArray(), Scalar: 1.5f);
            one.ApplyEdit(e1, rows, cols, [], edit);
            many.ApplyEdit(e2, rows, cols, [], edit);
            Assert.Equal(e1, e2);
        }
    }

    /// <summary>The tiled path: rows sorted by class in tiles of 1,024 and summed in groups of
    /// eight, four and one, a column tail past the last 8-wide chunk, blocks that cut tiles; a
    /// class with 3 rows (no group), one with most rows. Checked against numpy in float64, and
    /// bit-identical from run to run.</summary>
    [NumpyFact]
    public void ClassMoments_over_many_tiles_match_numpy_and_repeat_exactly()
    {
        int rows = 2600, cols = 45, classes = 6;
        var rng = new Random(61);
        var labels = new int[rows];
        for (int r = 0; r < rows; r++) labels[r] = rng.Next(20) switch { 0 => -1, < 12 => 0, < 15 => 1, < 18 => 2, _ => 3 + rng.Next(2) };
        foreach (int r in new[] { 17, 900, 2001 }) labels[r] = 5;   // 3 rows only
        var x = TestData.Matrix(rows, cols, seed: 62, offset: 40, labels: labels);
        var kernels = new CpuKernels(2);
        var m = kernels.ClassMoments(TestData.Dense(x, rows, cols, 700), labels, classes);
        var again = kernels.ClassMoments(TestData.Dense(x, rows, cols, 700), labels, classes);
        Assert.Equal(m.Means, again.Means);
        Assert.Equal(m.Variances, again.Variances);
        Assert.Equal(m.OverallVariance, again.OverallVariance);

        var dir = Directory.CreateTempSubdirectory("nh-moments-");
        try
        {
            File.WriteAllBytes(Path.Combine(dir.FullName, "x.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir.FullName, "y.i32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels.AsSpan()).ToArray());
            var script = $"""
                import numpy as np
                x = np.fromfile("x.f32", dtype="<f4").reshape({rows}, {cols}).astype(np.float64)
                y = np.fromfile("y.i32", dtype="<i4")
                out = []
                for c in range({classes}):
                    out += [x[y == c].mean(0), x[y == c].var(0)]
                out += [x.mean(0), x.var(0), x.min(0), x.max(0), np.array([(y == c).sum() for c in range({classes})], dtype=np.float64)]
                print("\n".join(repr(float(v)) for v in np.concatenate(out)))
                """;
            var e = PythonReference.RunOrThrow(script, workingDirectory: dir.FullName)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            for (int c = 0; c < classes; c++)
            {
                Close.All(e.AsSpan(2 * c * cols, cols), m.MeanOf(c), 1e-9, $"class {c} means vs numpy");
                Close.All(e.AsSpan((2 * c + 1) * cols, cols), m.VarianceOf(c), 1e-9, $"class {c} variances vs numpy");
            }
            int o = 2 * classes * cols;
            Close.All(e.AsSpan(o, cols), m.OverallMean, 1e-9, "overall mean vs numpy");
            Close.All(e.AsSpan(o + cols, cols), m.OverallVariance, 1e-9, "overall variance vs numpy");
            Close.All(e.AsSpan(o + 2 * cols, cols), m.Min, 0, "min vs numpy");
            Close.All(e.AsSpan(o + 3 * cols, cols), m.Max, 0, "max vs numpy");
            Assert.Equal(e.Skip(o + 4 * cols).Select(v => (long)v), m.Counts);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Cancellation_stops_a_streaming_kernel()
    {
        var x = TestData.Dense(TestData.Matrix(100, 8, 1), 100, 8, 10);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Kernels.ClassMoments(x, new int[100], 1, cts.Token));
    }
}

/// <summary>The correlation kernels with tiny working buffers: max |ρ| over many column tiles of
/// b, both kernels over many row panels, against the float64 reference.</summary>
public sealed class CpuTiledCorrelationTests
{
    [Theory]
    [InlineData(40, 64)]     // 40-value tiles: one b column per tile for d1 = 37
    [InlineData(200, 500)]
    public void Tiles_and_panels_do_not_change_the_result(long tileValues, long panelValues)
    {
        int rows = 301, d1 = 37, d2 = 29;
        var a = TestData.Matrix(rows, d1, seed: 1);
        var b = TestData.Matrix(rows, d2, seed: 2);
        for (int t = 0; t < rows; t++) b[t * d2 + 5] = a[t * d1 + 3] - a[t * d1 + 30];
        var kernels = new CpuKernels(2) { CorrelationBuffers = new(tileValues, panelValues) };
        var expected = NaiveReference.Correlation(a, rows, d1, b, d2);
        var ma = TestData.Dense(a, rows, d1, 50);
        var mb = TestData.Dense(b, rows, d2, 77);
        Close.All(expected, kernels.Correlation(ma, mb), 2e-5, "correlation");
        var expectedMax = Enumerable.Range(0, d1).Select(i => Enumerable.Range(0, d2).Max(j => Math.Abs(expected[i * d2 + j]))).ToArray();
        Close.All(expectedMax, kernels.MaxAbsCorrelation(ma, mb), 2e-5, "max |ρ|");
    }
}
