using NeuronHost.Kernels.OpenCl;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Tests.OpenCl;

/// <summary>Every OpenCL kernel against the float64 naive reference. Tolerances: means and
/// overall moments 1e-6 relative (device accumulation in double on pocl, float64 merges),
/// correlations 2e-5 absolute (float products in the tiled GEMM).</summary>
public class OpenClKernelsTests
{
    private const double MomentTol = 1e-6, CorrTol = 2e-5;

    private static void Close(double expected, double actual, double tol, string what)
    {
        if (double.IsNaN(expected)) { Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}"); return; }
        Assert.True(Math.Abs(expected - actual) <= tol * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");
    }

    public static IEnumerable<object[]> MomentCases() =>
    [
        [1, 1, 1, 0],        // one token, one neuron, one class
        [257, 37, 5, 1],     // odd sizes, D not a multiple of the work-group width
        [1000, 70, 17, 2],   // several tasks per class
        [300, 3, 4, 3],      // a class with no tokens, labels -1
    ];

    [OpenClTheory]
    [MemberData(nameof(MomentCases))]
    public void ClassMomentsMatchFloat64Reference(int rows, int columns, int classes, int seed)
    {
        var x = ClNaiveReference.Random(rows, columns, seed, offset: 100);  // offset: tests the shifted accumulation
        var rng = new Random(seed);
        var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(-1, classes)).ToArray();
        if (classes > 2) for (int i = 0; i < rows; i++) if (labels[i] == 1) labels[i] = 0;   // class 1 empty
        var expected = ClNaiveReference.Moments(x, rows, columns, labels, classes);
        var kernels = OpenClDevice.Kernels();
        var m = kernels.ClassMoments(new DenseActivationMatrix(x, rows, columns, rowsPerBlock: 97), labels, classes);

        Assert.Equal(expected.Counts, m.Counts);
        for (int i = 0; i < classes * columns; i++)
        {
            Close(expected.Mean[i], m.Means[i], MomentTol, $"mean[{i}]");
            Close(expected.Var[i], m.Variances[i], 1e-5, $"variance[{i}]");
        }
        for (int c = 0; c < columns; c++)
        {
            Close(expected.AllMean[c], m.OverallMean[c], MomentTol, $"overall mean[{c}]");
            Close(expected.AllVar[c], m.OverallVariance[c], 1e-5, $"overall variance[{c}]");
            Assert.Equal(expected.Min[c], m.Min[c]);
            Assert.Equal(expected.Max[c], m.Max[c]);
        }
    }

    [OpenClFact]
    public void ProbelessScoresFromDeviceMoments()
    {
        int rows = 400, columns = 9, classes = 4;
        var x = ClNaiveReference.Random(rows, columns, 7);
        var labels = Enumerable.Range(0, rows).Select(i => i % classes).ToArray();
        var reference = ClNaiveReference.Moments(x, rows, columns, labels, classes);
        var kernels = OpenClDevice.Kernels();
        var m = kernels.ClassMoments(new DenseActivationMatrix(x, rows, columns), labels, classes);
        var scores = kernels.ProbelessScores(m);
        var perClass = kernels.ProbelessPerClassScores(m);
        for (int d = 0; d < columns; d++)
        {
            double s = 0;
            for (int z = 0; z < classes; z++)
            {
                double pz = 0;
                for (int w = 0; w < classes; w++)
                {
                    double diff = Math.Abs(reference.Mean[z * columns + d] - reference.Mean[w * columns + d]);
                    if (w > z) s += diff;
                    if (w != z) pz += diff;
                }
                Close(pz, perClass[z * columns + d], 1e-6, $"per-class[{z},{d}]");
            }
            Close(s, scores[d], 1e-6, $"score[{d}]");
        }
    }

    [OpenClFact]
    public void SmallForcedChunksGiveTheSameResults()
    {
        int rows = 1500, columns = 33, classes = 6;
        var x = ClNaiveReference.Random(rows, columns, 11);
        var y = ClNaiveReference.Random(rows, 21, 12);
        var labels = Enumerable.Range(0, rows).Select(i => (i * 7) % classes).ToArray();
        var big = OpenClDevice.Kernels();
        var small = OpenClDevice.Kernels(new OpenClOptions { MaxChunkBytes = 40 * columns * 4 });   // 40 rows per chunk
        var a = new DenseActivationMatrix(x, rows, columns, rowsPerBlock: 333);
        var b = new DenseActivationMatrix(y, rows, 21, rowsPerBlock: 128);

        var m1 = big.ClassMoments(a, labels, classes);
        var m2 = small.ClassMoments(a, labels, classes);
        Assert.Equal(40, small.LastRowsPerChunk);
        for (int i = 0; i < m1.Means.Length; i++) Close(m1.Means[i], m2.Means[i], 1e-9, $"mean[{i}]");
        for (int i = 0; i < m1.Variances.Length; i++) Close(m1.Variances[i], m2.Variances[i], 1e-9, $"variance[{i}]");

        var c1 = big.Correlation(a, b);
        var c2 = small.Correlation(a, b);
        for (int i = 0; i < c1.Length; i++) Close(c1[i], c2[i], 1e-5, $"corr[{i}]");

        var t1 = big.TopActivatingRows(a, 5);
        var t2 = small.TopActivatingRows(a, 5);
        Assert.Equal(t1.Rows, t2.Rows);
        var h1 = big.Histograms(a, 10);
        var h2 = small.Histograms(a, 10);
        Assert.Equal(h1.Counts, h2.Counts);
    }

    [OpenClFact]
    public void DeviceOutOfMemoryHalvesTheChunkAndRetries()
    {
        int rows = 600, columns = 16, classes = 3;
        var x = ClNaiveReference.Random(rows, columns, 5);
        var labels = Enumerable.Range(0, rows).Select(i => i % classes).ToArray();
        var expected = ClNaiveReference.Moments(x, rows, columns, labels, classes);
        // Any chunk buffer above 50 rows fails like CL_MEM_OBJECT_ALLOCATION_FAILURE.
        var kernels = OpenClDevice.Kernels(new OpenClOptions { SimulatedAllocationLimitBytes = 50 * columns * 4 });
        var m = kernels.ClassMoments(new DenseActivationMatrix(x, rows, columns), labels, classes);
        Assert.True(kernels.ChunkRetries > 0, "expected at least one retry with a halved chunk");
        Assert.True(kernels.LastRowsPerChunk <= 50, $"chunk of {kernels.LastRowsPerChunk} rows");
        for (int i = 0; i < expected.Mean.Length; i++) Close(expected.Mean[i], m.Means[i], MomentTol, $"mean[{i}]");

        var buffer = (float[])x.Clone();
        kernels.ApplyEdit(buffer, rows, columns, default, new NeuronEdit(EditOp.Scale, [3, 15], Scalar: 2f));
        for (int r = 0; r < rows; r++) Assert.Equal(x[r * columns + 15] * 2f, buffer[r * columns + 15]);
    }

    [OpenClTheory]
    [InlineData(200, 5, 7)]
    [InlineData(1000, 70, 130)]   // more than one GEMM tile in each direction
    [InlineData(1, 2, 3)]         // one token: everything is constant → 0
    public void CorrelationMatchesFloat64Reference(int rows, int d1, int d2)
    {
        var a = ClNaiveReference.Random(rows, d1, 1, offset: 3);
        var b = ClNaiveReference.Random(rows, d2, 2);
        for (int r = 0; r < rows && d2 > 2; r++) b[r * d2 + 2] = a[r * d1 + 1] * -2 + 1;   // perfectly anti-correlated pair
        for (int r = 0; r < rows; r++) a[r * d1] = 4.5f;                                  // a constant column
        var expected = ClNaiveReference.Correlation(a, d1, b, d2, rows);
        var kernels = OpenClDevice.Kernels();
        var ma = new DenseActivationMatrix(a, rows, d1, rowsPerBlock: 61);
        var mb = new DenseActivationMatrix(b, rows, d2, rowsPerBlock: 77);
        var corr = kernels.Correlation(ma, mb);
        for (int i = 0; i < expected.Length; i++) Close(expected[i], corr[i], CorrTol, $"ρ[{i / d2},{i % d2}]");
        var best = kernels.MaxAbsCorrelation(ma, mb);
        for (int i = 0; i < d1; i++)
        {
            double e = Enumerable.Range(0, d2).Max(j => Math.Abs(expected[i * d2 + j]));
            Close(e, best[i], CorrTol, $"max|ρ|[{i}]");
        }
    }

    [OpenClFact]
    public void MaxAbsCorrelationTilesTheOtherSetWhenTheBudgetIsSmall()
    {
        int rows = 300, d1 = 40, d2 = 200;
        var a = ClNaiveReference.Random(rows, d1, 3);
        var b = ClNaiveReference.Random(rows, d2, 4);
        for (int r = 0; r < rows; r++) b[r * d2 + 150] = a[r * d1 + 7] + 0.01f * b[r * d2 + 150];
        var expected = ClNaiveReference.Correlation(a, d1, b, d2, rows);
        // Budget for a Gram tile of 40 × ~64 doubles: several b tiles.
        var kernels = OpenClDevice.Kernels(new OpenClOptions { DeviceMemoryBudgetBytes = 2 * 40 * 64 * 8 + 200_000 });
        var best = kernels.MaxAbsCorrelation(new DenseActivationMatrix(a, rows, d1), new DenseActivationMatrix(b, rows, d2));
        for (int i = 0; i < d1; i++)
            Close(Enumerable.Range(0, d2).Max(j => Math.Abs(expected[i * d2 + j])), best[i], CorrTol, $"max|ρ|[{i}]");
        Assert.True(best[7] > 0.99);
    }

    [OpenClTheory]
    [InlineData(EditOp.Zero)]
    [InlineData(EditOp.Set)]
    [InlineData(EditOp.Add)]
    [InlineData(EditOp.Scale)]
    [InlineData(EditOp.ShiftBySign)]
    public void ApplyEditMatchesDefinitionOnMaskedRows(EditOp op)
    {
        int rows = 123, columns = 45;
        var x = ClNaiveReference.Random(rows, columns, 9);
        x[3 * columns + 4] = 0f;   // s(0) = -1
        var mask = Enumerable.Range(0, rows).Select(r => r % 3 != 1).ToArray();
        int[] neurons = [0, 4, 17, 44];
        float[] values = [0.5f, -1.25f, 2f, 3f];
        var edited = (float[])x.Clone();
        var kernels = OpenClDevice.Kernels(new OpenClOptions { MaxChunkBytes = 50 * columns * 4 });
        kernels.ApplyEdit(edited, rows, columns, mask, new NeuronEdit(op, neurons, values));
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                float h = x[r * columns + c], expected = h;
                int i = Array.IndexOf(neurons, c);
                if (mask[r] && i >= 0)
                {
                    float v = values[i];
                    expected = op switch
                    {
                        EditOp.Zero => 0f,
                        EditOp.Set => v,
                        EditOp.Add => h + v,
                        EditOp.Scale => h * v,
                        _ => h + v * (h > 0 ? 1 : -1),
                    };
                }
                Assert.Equal(expected, edited[r * columns + c]);
            }
    }

    [OpenClFact]
    public void ApplyEditWithScalarAndNoMaskEditsEveryRow()
    {
        int rows = 10, columns = 3;
        var x = Enumerable.Range(0, rows * columns).Select(i => (float)i).ToArray();
        OpenClDevice.Kernels().ApplyEdit(x, rows, columns, ReadOnlySpan<bool>.Empty, new NeuronEdit(EditOp.Set, [1], Scalar: -7f));
        for (int r = 0; r < rows; r++) Assert.Equal(-7f, x[r * columns + 1]);
        Assert.Equal(0f, x[0]);
    }

    [OpenClFact]
    public void TopActivatingRowsAreTheLargestHighestFirst()
    {
        int rows = 777, columns = 19, k = 6;
        var x = ClNaiveReference.Random(rows, columns, 21);
        x[100 * columns + 2] = 50f; x[600 * columns + 2] = 50f;   // a tie: lower row first
        var top = OpenClDevice.Kernels(new OpenClOptions { MaxChunkBytes = 100 * columns * 4 })
            .TopActivatingRows(new DenseActivationMatrix(x, rows, columns, rowsPerBlock: 250), k);
        for (int c = 0; c < columns; c++)
        {
            var expected = Enumerable.Range(0, rows).OrderByDescending(r => x[r * columns + c]).ThenBy(r => r).Take(k).ToArray();
            Assert.Equal(expected.Select(r => (long)r), top.Rows.Skip(c * k).Take(k));
            Assert.Equal(expected.Select(r => x[r * columns + c]), top.Values.Skip(c * k).Take(k));
        }
        Assert.Equal(100, top.Rows[2 * k]);
        Assert.Equal(600, top.Rows[2 * k + 1]);

        var few = OpenClDevice.Kernels().TopActivatingRows(new DenseActivationMatrix(x.AsMemory(0, 2 * columns), 2, columns), 4);
        Assert.Equal(-1, few.Rows[2]);
        Assert.Equal(-1, few.Rows[3]);
    }

    [OpenClFact]
    public void HistogramsCountEveryValueInEqualBins()
    {
        int rows = 999, columns = 13, bins = 7;
        var x = ClNaiveReference.Random(rows, columns, 31);
        for (int r = 0; r < rows; r++) x[r * columns + 5] = 2f;   // constant column: all in bin 0
        var h = OpenClDevice.Kernels().Histograms(new DenseActivationMatrix(x, rows, columns), bins);
        for (int c = 0; c < columns; c++)
        {
            double min = Enumerable.Range(0, rows).Min(r => x[r * columns + c]);
            double max = Enumerable.Range(0, rows).Max(r => x[r * columns + c]);
            Assert.Equal((float)min, h.Min[c]);
            Assert.Equal((float)max, h.Max[c]);
            var expected = new long[bins];
            for (int r = 0; r < rows; r++)
            {
                double v = x[r * columns + c];
                int b = max > min ? (int)Math.Floor((v - min) / (max - min) * bins) : 0;
                expected[Math.Clamp(b, 0, bins - 1)]++;
            }
            Assert.Equal(expected, h.Counts.Skip(c * bins).Take(bins));
        }
    }

    [OpenClFact]
    public void TopKOfScoresOrdersNaNLastAndTiesByIndex()
    {
        double[] scores = [1, double.NaN, 5, 3, 5, -2];
        Assert.Equal([2, 4, 3, 0, 5, 1], OpenClDevice.Kernels().TopK(scores, 10));
        Assert.Equal([2, 4], OpenClDevice.Kernels().TopK(scores, 2));
    }

    [OpenClTheory]
    [InlineData(false, false, 70, 33, 129)]
    [InlineData(true, false, 5, 66, 17)]
    [InlineData(false, true, 65, 3, 20)]
    [InlineData(true, true, 1, 1, 1)]
    public void SgemmMatchesNaiveProduct(bool ta, bool tb, int m, int n, int k)
    {
        var rng = new Random(m * 31 + n);
        int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
        var a = Enumerable.Range(0, (ta ? k : m) * lda).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, (tb ? n : k) * ldb).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var c = Enumerable.Range(0, m * ldc).Select(_ => (float)rng.NextDouble()).ToArray();
        var original = (float[])c.Clone();
        OpenClDevice.Kernels().Sgemm(ta, tb, m, n, k, 1.5f, a, lda, b, ldb, 0.5f, c, ldc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                Close(1.5 * s + 0.5 * original[i * ldc + j], c[i * ldc + j], 1e-5, $"C[{i},{j}]");
            }
    }

    [OpenClFact]
    public void NonFiniteActivationNamesRowAndNeuron()
    {
        int rows = 500, columns = 10;
        var x = ClNaiveReference.Random(rows, columns, 2);
        x[321 * columns + 6] = float.NaN;
        var kernels = OpenClDevice.Kernels(new OpenClOptions { MaxChunkBytes = 64 * columns * 4 });
        var m = new DenseActivationMatrix(x, rows, columns);
        var e = Assert.Throws<NonFiniteActivationException>(() => kernels.ClassMoments(m, new int[rows], 1));
        Assert.Equal(321, e.Row);
        Assert.Equal(6, e.Column);
        Assert.Contains("row 321, neuron 6", e.Message);
        Assert.Equal(321, Assert.Throws<NonFiniteActivationException>(() => kernels.TopActivatingRows(m, 3)).Row);
        Assert.Equal(321, Assert.Throws<NonFiniteActivationException>(() => kernels.Histograms(m, 3)).Row);
        x[321 * columns + 6] = float.PositiveInfinity;
        Assert.Equal(6, Assert.Throws<NonFiniteActivationException>(() => kernels.Correlation(m, m)).Column);
    }

    [OpenClFact]
    public void BadLabelsAreRejectedWithTheirRow()
    {
        var x = new float[12];
        var e = Assert.Throws<ArgumentException>(() =>
            OpenClDevice.Kernels().ClassMoments(new DenseActivationMatrix(x, 4, 3), new[] { 0, 1, 5, 0 }, 2));
        Assert.Contains("label 5 at row 2", e.Message);
    }

    [OpenClFact]
    public void KernelBuildErrorShowsTheBuildLog()
    {
        var ctx = ClContext.For(OpenClDevice.Api, OpenClDevice.Device);
        var e = Assert.Throws<OpenClException>(() => ctx.Build("broken.cl", "__kernel void broken(__global float* x) { x[0] = undefined_name + ; }"));
        Assert.Equal(ClErrors.BuildProgramFailure, e.Code);
        Assert.Contains("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)", e.Message);
        Assert.Contains("OpenCL build log", e.Message);
        Assert.Contains("undefined_name", e.Message);
    }

    [OpenClFact]
    public void ErrorCodesBecomeNamedMessages()
    {
        var e = new OpenClException("clEnqueueNDRangeKernel", -5, "in kernel 'class_moments'");
        Assert.Equal("clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5) in kernel 'class_moments'", e.Message);
        Assert.True(e.IsOutOfMemory);
        Assert.Contains("opencl: ", OpenClDevice.Kernels().Backend);
    }

    [OpenClFact]
    public void CancellationStopsTheStreamAndTheDeviceStaysUsable()
    {
        int rows = 2000, columns = 8;
        var x = ClNaiveReference.Random(rows, columns, 4);
        var m = new DenseActivationMatrix(x, rows, columns, rowsPerBlock: 100);
        var kernels = OpenClDevice.Kernels(new OpenClOptions { MaxChunkBytes = 100 * columns * 4 });
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => kernels.ClassMoments(m, new int[rows], 1, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => kernels.TopActivatingRows(m, 2, cancelled.Token));
        var moments = kernels.ClassMoments(m, new int[rows], 1);
        Close(x.Where((_, i) => i % columns == 3).Average(v => (double)v), moments.OverallMean[3], 1e-9, "mean after cancellation");
    }

    [OpenClFact]
    public void ConcurrentCallsOnOneDeviceGiveTheirOwnResults()
    {
        int rows = 700, columns = 24;
        var data = Enumerable.Range(0, 4).Select(s => ClNaiveReference.Random(rows, columns, 100 + s, offset: s * 10)).ToArray();
        var results = new ClassMoments[4];
        Parallel.For(0, 4, i => results[i] = OpenClDevice.Kernels(new OpenClOptions { MaxChunkBytes = 64 * columns * 4 })
            .ClassMoments(new DenseActivationMatrix(data[i], rows, columns), new int[rows], 1));
        for (int i = 0; i < 4; i++)
        {
            var expected = ClNaiveReference.Moments(data[i], rows, columns, new int[rows], 1);
            for (int c = 0; c < columns; c++) Close(expected.AllMean[c], results[i].OverallMean[c], 1e-9, $"set {i} mean[{c}]");
        }
    }
}
