using System.Globalization;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Kernels.Tests;

/// <summary>The behaviour every <see cref="IComputeKernels"/> backend must have, checked against
/// <see cref="NaiveReference"/> (float64 textbook code) and numpy. A backend's test class
/// derives from this and supplies <see cref="Kernels"/>; it may loosen the tolerances if it
/// accumulates in float32.</summary>
public abstract class KernelContractTests
{
    protected abstract IComputeKernels Kernels { get; }

    /// <summary>Relative tolerance on moments, probeless scores (float64 accumulation).</summary>
    protected virtual double MomentTolerance => 1e-9;
    /// <summary>Absolute tolerance on correlations (float32 SGEMM).</summary>
    protected virtual double CorrelationTolerance => 2e-5;
    /// <summary>Relative tolerance on SGEMM against the float64 product.</summary>
    protected virtual double GemmTolerance => 1e-5;

    // ---------------------------------------------------------------- class moments

    public static TheoryData<int, int, int, int> MomentShapes => new()
    {
        // rows, columns, classes, rows per block (0 = one block)
        { 1000, 37, 5, 0 },
        { 1000, 37, 5, 13 },
        { 257, 16, 3, 1 },
        { 300, 64, 17, 100 },
        { 1, 3, 1, 0 },
        { 50, 1, 1, 7 },
        { 129, 33, 4, 64 },
    };

    [Theory, MemberData(nameof(MomentShapes))]
    public void ClassMoments_match_the_float64_reference(int rows, int cols, int classes, int rowsPerBlock)
    {
        var labels = TestData.Labels(rows, classes, seed: rows + cols, withUnlabelled: rows > 1);
        var x = TestData.Matrix(rows, cols, seed: 7 * rows + cols, labels: labels);
        var m = Kernels.ClassMoments(TestData.Dense(x, rows, cols, rowsPerBlock), labels, classes);
        AssertMoments(NaiveReference.ClassMoments(x, rows, cols, labels, classes), m, classes, cols);
    }

    [Fact]
    public void ClassMoments_a_class_without_tokens_has_count_0_and_NaN_moments()
    {
        int rows = 200, cols = 19, classes = 4;
        var labels = TestData.Labels(rows, classes, seed: 3, emptyClass: 2);
        var x = TestData.Matrix(rows, cols, seed: 4, labels: labels);
        var m = Kernels.ClassMoments(TestData.Dense(x, rows, cols, 17), labels, classes);
        Assert.Equal(0, m.Counts[2]);
        Assert.All(m.MeanOf(2).ToArray(), v => Assert.True(double.IsNaN(v)));
        Assert.All(m.VarianceOf(2).ToArray(), v => Assert.True(double.IsNaN(v)));
        AssertMoments(NaiveReference.ClassMoments(x, rows, cols, labels, classes), m, classes, cols);
    }

    [Fact]
    public void ClassMoments_label_minus_one_is_skipped_in_classes_but_counted_overall()
    {
        // Rows 0,1 are class 0 (values 1, 3); row 2 is unlabelled (value 100).
        float[] x = [1f, 3f, 100f];
        var m = Kernels.ClassMoments(TestData.Dense(x, 3, 1), new[] { 0, 0, -1 }, 1);
        Assert.Equal(2, m.Counts[0]);
        Assert.Equal(2.0, m.MeanOf(0)[0], 12);
        Assert.Equal(1.0, m.VarianceOf(0)[0], 12);          // population variance of {1, 3}
        Assert.Equal(104.0 / 3, m.OverallMean[0], 12);
        Assert.Equal(100f, m.Max[0]);
        Assert.Equal(1f, m.Min[0]);
    }

    [Fact]
    public void ClassMoments_are_stable_for_a_large_offset()
    {
        // Mean 3000, spread 0.05: naive Σx² − (Σx)²/n in float64 would lose ~8 digits.
        int rows = 4000, cols = 21;
        var labels = TestData.Labels(rows, 3, seed: 11);
        var rng = new Random(5);
        var x = new float[rows * cols];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(3000 + 0.05 * TestData.Gaussian(rng));
        var m = Kernels.ClassMoments(TestData.Dense(x, rows, cols, 333), labels, 3);
        AssertMoments(NaiveReference.ClassMoments(x, rows, cols, labels, 3), m, 3, cols, varianceTolerance: Math.Max(MomentTolerance, 1e-6));
    }

    [Fact]
    public void ClassMoments_many_blocks_equal_one_block()
    {
        int rows = 3001, cols = 45, classes = 6;
        var labels = TestData.Labels(rows, classes, seed: 1);
        var x = TestData.Matrix(rows, cols, seed: 2, labels: labels);
        var one = Kernels.ClassMoments(TestData.Dense(x, rows, cols), labels, classes);
        var many = Kernels.ClassMoments(TestData.Dense(x, rows, cols, 29), labels, classes);
        Assert.Equal(one.Counts, many.Counts);
        Close.All(one.Means, many.Means, MomentTolerance, "means");
        Close.All(one.Variances, many.Variances, MomentTolerance, "variances");
        Close.All(one.OverallVariance, many.OverallVariance, MomentTolerance, "overall variance");
        Assert.Equal(one.Min, many.Min);
        Assert.Equal(one.Max, many.Max);
    }

    [Fact]
    public void ClassMoments_reject_a_label_outside_the_classes_naming_the_row()
    {
        var x = TestData.Matrix(10, 4, seed: 1);
        var labels = new int[10];
        labels[6] = 3;
        var e = Assert.ThrowsAny<ArgumentException>(() => Kernels.ClassMoments(TestData.Dense(x, 10, 4), labels, 3));
        Assert.Contains("row 6", e.Message);
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void ClassMoments_reject_labels_of_the_wrong_length()
    {
        var x = TestData.Matrix(10, 4, seed: 1);
        var e = Assert.ThrowsAny<ArgumentException>(() => Kernels.ClassMoments(TestData.Dense(x, 10, 4), new int[9], 3));
        Assert.Contains("9", e.Message);
        Assert.Contains("10", e.Message);
    }

    private void AssertMoments(NaiveReference.Moments expected, ClassMoments m, int classes, int cols, double? varianceTolerance = null)
    {
        Assert.Equal(classes, m.ClassCount);
        Assert.Equal(cols, m.Neurons);
        Assert.Equal(expected.Counts, m.Counts);
        Close.All(expected.Means, m.Means, MomentTolerance, "class means");
        Close.All(expected.Variances, m.Variances, varianceTolerance ?? MomentTolerance, "class variances");
        Close.All(expected.OverallMean, m.OverallMean, MomentTolerance, "overall mean");
        Close.All(expected.OverallVariance, m.OverallVariance, varianceTolerance ?? MomentTolerance, "overall variance");
        Assert.Equal(expected.Min, m.Min);
        Assert.Equal(expected.Max, m.Max);
    }

    // ---------------------------------------------------------------- non-finite input

    public static TheoryData<string, float, int> NonFiniteCases
    {
        get
        {
            var data = new TheoryData<string, float, int>();
            foreach (var kernel in new[] { "moments", "top", "histograms", "correlation", "maxabs" })
                foreach (var v in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                    foreach (var column in new[] { 35, 3 })
                        data.Add(kernel, v, column);
            return data;
        }
    }

    /// <param name="column">35: a tail column (not a multiple of the vector width); 3: a lane of
    /// the kernels' SIMD steps.</param>
    [Theory, MemberData(nameof(NonFiniteCases))]
    public void Non_finite_activations_raise_an_error_naming_row_and_neuron(string kernel, float bad, int column)
    {
        int rows = 500, cols = 37;
        var x = TestData.Matrix(rows, cols, seed: 9);
        x[321 * cols + column] = bad;   // in a middle block
        var m = TestData.Dense(x, rows, cols, 100);
        var clean = TestData.Dense(TestData.Matrix(rows, 5, seed: 10), rows, 5);
        Action run = kernel switch
        {
            "moments" => () => Kernels.ClassMoments(m, new int[rows], 1),
            "top" => () => Kernels.TopActivatingRows(m, 3),
            "histograms" => () => Kernels.Histograms(m, 10),
            "correlation" => () => Kernels.Correlation(clean, m),
            _ => () => Kernels.MaxAbsCorrelation(m, clean),
        };
        var e = Assert.Throws<NonFiniteActivationException>(run);
        Assert.Equal(321, e.Row);
        Assert.Equal(column, e.Column);
        Assert.Contains("row 321", e.Message);
        Assert.Contains($"neuron {column}", e.Message);
    }

    [Fact]
    public void Huge_finite_values_are_not_mistaken_for_infinity()
    {
        // Sums of these overflow float32; they are still finite activations.
        int rows = 64, cols = 33;
        var x = new float[rows * cols];
        for (int i = 0; i < x.Length; i++) x[i] = (i % 3 == 0 ? -1 : 1) * float.MaxValue / (1 + i % 5);
        var m = TestData.Dense(x, rows, cols, 16);
        Assert.Equal(float.MaxValue, Kernels.Histograms(m, 4).Max.Max());
        Assert.Equal(float.MaxValue, Kernels.TopActivatingRows(m, 2).Values.Max());
        var moments = Kernels.ClassMoments(m, new int[rows], 1);
        Assert.All(moments.Means, v => Assert.True(double.IsFinite(v)));
    }

    // ---------------------------------------------------------------- probeless

    [Fact]
    public void Probeless_scores_match_the_reference_and_skip_empty_classes()
    {
        int rows = 600, cols = 23, classes = 5;
        var labels = TestData.Labels(rows, classes, seed: 21, emptyClass: 3);
        var x = TestData.Matrix(rows, cols, seed: 22, labels: labels);
        var m = Kernels.ClassMoments(TestData.Dense(x, rows, cols, 50), labels, classes);
        var r = NaiveReference.ClassMoments(x, rows, cols, labels, classes);
        Close.All(NaiveReference.Probeless(r.Means, r.Counts, classes, cols), Kernels.ProbelessScores(m), MomentTolerance, "probeless");
        Close.All(NaiveReference.ProbelessPerClass(r.Means, r.Counts, classes, cols), Kernels.ProbelessPerClassScores(m), MomentTolerance, "probeless per class");
    }

    [Fact]
    public void Probeless_closed_form_for_three_classes()
    {
        // One neuron, class means 0, 1, 3: pairs |0−1| + |0−3| + |1−3| = 6; per class 4, 3, 5.
        var m = new ClassMoments(3, 1, [1, 1, 1], [0, 1, 3], [0, 0, 0], [4.0 / 3], [0], [0], [3]);
        Assert.Equal([6.0], Kernels.ProbelessScores(m));
        Assert.Equal([4.0, 3.0, 5.0], Kernels.ProbelessPerClassScores(m));
    }

    [Fact]
    public void Probeless_with_one_class_is_zero()
    {
        var x = TestData.Matrix(20, 9, seed: 1);
        var m = Kernels.ClassMoments(TestData.Dense(x, 20, 9), new int[20], 1);
        Assert.All(Kernels.ProbelessScores(m), v => Assert.Equal(0.0, v));
        Assert.All(Kernels.ProbelessPerClassScores(m), v => Assert.Equal(0.0, v));
    }

    // ---------------------------------------------------------------- correlation

    public static TheoryData<int, int, int, int, int> CorrelationShapes => new()
    {
        // rows, d1, d2, block rows of a, of b
        { 300, 19, 23, 0, 0 },
        { 300, 19, 23, 7, 64 },
        { 2, 3, 5, 1, 0 },
        { 1000, 40, 1, 333, 100 },
    };

    [Theory, MemberData(nameof(CorrelationShapes))]
    public void Correlation_matches_the_reference(int rows, int d1, int d2, int blockA, int blockB)
    {
        var a = TestData.Matrix(rows, d1, seed: d1);
        var b = TestData.Matrix(rows, d2, seed: d2 + 100);
        // b's first column a noisy copy of a's column 2, so one correlation is large.
        var rng = new Random(3);
        for (int t = 0; t < rows; t++) b[t * d2] = a[t * d1 + Math.Min(2, d1 - 1)] * 2 + 0.1f * (float)TestData.Gaussian(rng);
        var expected = NaiveReference.Correlation(a, rows, d1, b, d2);
        var actual = Kernels.Correlation(TestData.Dense(a, rows, d1, blockA), TestData.Dense(b, rows, d2, blockB));
        Close.All(expected, actual, CorrelationTolerance, "correlation");
        var maxAbs = Kernels.MaxAbsCorrelation(TestData.Dense(a, rows, d1, blockA), TestData.Dense(b, rows, d2, blockB));
        var expectedMax = Enumerable.Range(0, d1).Select(i => Enumerable.Range(0, d2).Max(j => Math.Abs(expected[i * d2 + j]))).ToArray();
        Close.All(expectedMax, maxAbs, CorrelationTolerance, "max |ρ|");
    }

    [Fact]
    public void Correlation_of_a_constant_column_is_zero_and_self_correlation_is_one()
    {
        int rows = 100, cols = 5;
        var a = TestData.Matrix(rows, cols, seed: 8);
        for (int t = 0; t < rows; t++) a[t * cols + 3] = 4.25f;
        var m = TestData.Dense(a, rows, cols, 30);
        var c = Kernels.Correlation(m, m);
        for (int i = 0; i < cols; i++)
        {
            Assert.Equal(0f, c[3 * cols + i]);
            Assert.Equal(0f, c[i * cols + 3]);
            if (i != 3) Assert.Equal(1.0, c[i * cols + i], 5);
        }
        Assert.Equal(0.0, Kernels.MaxAbsCorrelation(m, TestData.Dense(a.Select((v, i) => i % cols == 3 ? v : 1f).ToArray(), rows, cols))[0]);
    }

    [Fact]
    public void Correlation_rejects_different_row_counts()
    {
        var a = TestData.Dense(TestData.Matrix(10, 3, 1), 10, 3);
        var b = TestData.Dense(TestData.Matrix(11, 3, 1), 11, 3);
        var e = Assert.ThrowsAny<ArgumentException>(() => Kernels.Correlation(a, b));
        Assert.Contains("10", e.Message);
        Assert.Contains("11", e.Message);
    }

    [NumpyFact]
    public void Correlation_matches_numpy_corrcoef()
    {
        int rows = 2000, d1 = 48, d2 = 35;
        // Real-ish: heavy-tailed, correlated columns with different offsets and scales.
        var rng = new Random(42);
        var latent = new double[rows * 4];
        for (int i = 0; i < latent.Length; i++) latent[i] = TestData.Gaussian(rng);
        float[] Make(int cols, int seed)
        {
            var r = new Random(seed);
            var w = Enumerable.Range(0, cols * 4).Select(_ => TestData.Gaussian(r)).ToArray();
            var x = new float[rows * cols];
            for (int t = 0; t < rows; t++)
                for (int j = 0; j < cols; j++)
                {
                    double s = j * 0.3 - 5;
                    for (int q = 0; q < 4; q++) s += w[j * 4 + q] * latent[t * 4 + q];
                    double noise = TestData.Gaussian(r);
                    x[t * cols + j] = (float)(s + noise * noise * noise);
                }
            return x;
        }
        var a = Make(d1, 1);
        var b = Make(d2, 2);
        var dir = Directory.CreateTempSubdirectory("nh-corr-");
        try
        {
            File.WriteAllBytes(Path.Combine(dir.FullName, "a.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()).ToArray());
            File.WriteAllBytes(Path.Combine(dir.FullName, "b.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()).ToArray());
            var script = $"""
                import numpy as np
                a = np.fromfile("a.f32", dtype="<f4").reshape({rows}, {d1}).astype(np.float64)
                b = np.fromfile("b.f32", dtype="<f4").reshape({rows}, {d2}).astype(np.float64)
                c = np.corrcoef(a, b, rowvar=False)[:{d1}, {d1}:]
                print("\n".join(repr(float(v)) for v in c.ravel()))
                """;
            var expected = PythonReference.RunOrThrow(script, workingDirectory: dir.FullName)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var actual = Kernels.Correlation(TestData.Dense(a, rows, d1, 300), TestData.Dense(b, rows, d2, 512));
            Close.All(expected, actual, CorrelationTolerance, "correlation vs numpy.corrcoef");
        }
        finally { dir.Delete(true); }
    }

    // ---------------------------------------------------------------- masked edit

    public static TheoryData<EditOp, string, bool, bool> EditCases
    {
        get
        {
            var data = new TheoryData<EditOp, string, bool, bool>();
            foreach (var op in Enum.GetValues<EditOp>())
                foreach (var set in new[] { "contiguous", "scattered", "mixed" })
                {
                    data.Add(op, set, true, true);
                    data.Add(op, set, false, false);
                }
            return data;
        }
    }

    [Theory, MemberData(nameof(EditCases))]
    public void ApplyEdit_matches_the_reference(EditOp op, string set, bool masked, bool perNeuronValues)
    {
        int rows = 61, cols = 83;
        int[] neurons = set switch
        {
            "contiguous" => Enumerable.Range(5, 37).ToArray(),
            "scattered" => [80, 3, 17, 44, 45, 0, 82],
            _ => [.. Enumerable.Range(10, 20), 2, 9, .. Enumerable.Range(60, 23), 9],   // runs, singles, a repeat
        };
        var rng = new Random(neurons.Length);
        var values = perNeuronValues ? neurons.Select(_ => (float)TestData.Gaussian(rng)).ToArray() : null;
        var edit = new NeuronEdit(op, neurons, values, Scalar: 0.75f);
        var mask = masked ? Enumerable.Range(0, rows).Select(r => r % 3 != 1).ToArray() : [];
        var x = TestData.Matrix(rows, cols, seed: 5);
        for (int i = 0; i < cols; i += 4) x[7 * cols + i] = 0f;   // exact zeros: s(0) = −1
        var expected = (float[])x.Clone();
        NaiveReference.ApplyEdit(expected, rows, cols, mask, edit);
        Kernels.ApplyEdit(x, rows, cols, mask, edit);
        Assert.Equal(expected, x);
    }

    /// <summary>Hundreds of scattered neurons take the blended full-span path: every bit must
    /// equal the plain loop's, untouched columns included (NaN, −0 and values beside edited ones).</summary>
    [Theory]
    [InlineData(EditOp.Zero)]
    [InlineData(EditOp.Set)]
    [InlineData(EditOp.Add)]
    [InlineData(EditOp.Scale)]
    [InlineData(EditOp.ShiftBySign)]
    public void ApplyEdit_with_many_scattered_neurons_matches_the_reference_bit_for_bit(EditOp op)
    {
        int rows = 203, cols = 1031;
        var rng = new Random((int)op + 40);
        var neurons = Enumerable.Range(3, cols - 10).OrderBy(_ => rng.Next()).Take(340).ToArray();   // unsorted, no repeats, span 3..1023
        var values = neurons.Select(_ => (float)TestData.Gaussian(rng)).ToArray();
        var edit = new NeuronEdit(op, neurons, values);
        var mask = Enumerable.Range(0, rows).Select(r => r % 4 != 2).ToArray();
        var x = TestData.Matrix(rows, cols, seed: 17);
        for (int i = 0; i < cols; i += 5) { x[9 * cols + i] = -0f; x[10 * cols + i] = float.NaN; x[11 * cols + i] = 0f; }
        var expected = (float[])x.Clone();
        NaiveReference.ApplyEdit(expected, rows, cols, mask, edit);
        Kernels.ApplyEdit(x, rows, cols, mask, edit);
        for (int i = 0; i < x.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(x[i]),
                $"row {i / cols}, column {i % cols}: {x[i]:R}, expected {expected[i]:R}");
    }

    [Fact]
    public void ApplyEdit_on_a_large_matrix_matches_the_reference()
    {
        int rows = 1500, cols = 517;
        var x = TestData.Matrix(rows, cols, seed: 12);
        var edit = new NeuronEdit(EditOp.ShiftBySign, Enumerable.Range(1, 500).ToArray(), Scalar: 0.5f);
        var mask = Enumerable.Range(0, rows).Select(r => r % 5 != 0).ToArray();
        var expected = (float[])x.Clone();
        NaiveReference.ApplyEdit(expected, rows, cols, mask, edit);
        Kernels.ApplyEdit(x, rows, cols, mask, edit);
        Assert.Equal(expected, x);
    }

    [Fact]
    public void ApplyEdit_rejects_bad_input_with_a_clear_message()
    {
        var x = new float[12];
        Assert.Contains("7", Assert.ThrowsAny<ArgumentException>(() => Kernels.ApplyEdit(x, 3, 4, [], new NeuronEdit(EditOp.Zero, [7]))).Message);
        Assert.Contains("2 values", Assert.ThrowsAny<ArgumentException>(() => Kernels.ApplyEdit(x, 3, 4, [], new NeuronEdit(EditOp.Set, [1, 2, 3], [1f, 2f]))).Message);
        Assert.Contains("mask", Assert.ThrowsAny<ArgumentException>(() => Kernels.ApplyEdit(x, 3, 4, [true], new NeuronEdit(EditOp.Zero, [1]))).Message);
        Assert.ThrowsAny<ArgumentException>(() => Kernels.ApplyEdit(x, 4, 4, [], new NeuronEdit(EditOp.Zero, [1])));
    }

    // ---------------------------------------------------------------- top-k

    [Fact]
    public void TopK_orders_largest_first_NaN_last_ties_by_lower_index()
    {
        double[] s = [0.5, double.NaN, 2, 0.5, -1, 2, double.NaN, 7, 0.5];
        Assert.Equal([7, 2, 5, 0, 3, 8, 4, 1, 6], Kernels.TopK(s, 9));
        Assert.Equal([7, 2, 5, 0], Kernels.TopK(s, 4));
        Assert.Equal([7, 2, 5, 0, 3, 8, 4, 1, 6], Kernels.TopK(s, 50));
        Assert.Empty(Kernels.TopK(s, 0));
        Assert.Empty(Kernels.TopK([], 3));
    }

    [Fact]
    public void TopK_matches_a_full_sort_on_random_scores_with_ties()
    {
        var rng = new Random(77);
        var s = Enumerable.Range(0, 5000).Select(_ => rng.Next(10) == 0 ? double.NaN : Math.Round(rng.NextDouble() * 50)).ToArray();
        foreach (int k in new[] { 1, 10, 100, 4999, 5000 })
            Assert.Equal(NaiveReference.TopK(s, k), Kernels.TopK(s, k));
    }

    public static TheoryData<int, int, int, int> TopRowShapes => new()
    {
        { 500, 37, 5, 0 },
        { 500, 37, 5, 9 },
        { 3, 17, 5, 1 },
        { 1, 2, 1, 0 },
        { 2000, 16, 20, 300 },
        { 3000, 100, 7, 256 },   // three 32-neuron SIMD steps and a tail
    };

    [Theory, MemberData(nameof(TopRowShapes))]
    public void TopActivatingRows_match_the_reference(int rows, int cols, int k, int rowsPerBlock)
    {
        var x = TestData.Matrix(rows, cols, seed: rows * 3 + k);
        // Ties: quantise a few columns so equal values must be ordered by row.
        for (int r = 0; r < rows; r++) x[r * cols] = MathF.Round(x[r * cols]);
        var (expRows, expValues) = NaiveReference.TopActivatingRows(x, rows, cols, k);
        var top = Kernels.TopActivatingRows(TestData.Dense(x, rows, cols, rowsPerBlock), k);
        Assert.Equal(k, top.K);
        Assert.Equal(cols, top.Neurons);
        Assert.Equal(expRows, top.Rows);
        Assert.Equal(expValues, top.Values);
    }

    [Fact]
    public void TopActivatingRows_order_signed_zeros_negatives_and_extremes_as_floats_do()
    {
        // The kernel keeps (value, row) as one integer key: these are the values whose bits order
        // differently from the floats (−0 and +0 are equal, negatives run backwards as bits).
        const int rows = 3000, cols = 4;
        var x = new float[rows * cols];
        var rng = new Random(7);
        for (int r = 0; r < rows; r++)
        {
            x[r * cols] = r % 2 == 0 ? -0f : 0f;                                   // ties only: the lowest rows win
            x[r * cols + 1] = -1f - (float)rng.NextDouble();                      // all negative
            x[r * cols + 2] = (rng.Next(4)) switch { 0 => float.MaxValue, 1 => -float.MaxValue, 2 => float.Epsilon, _ => -float.Epsilon };
            x[r * cols + 3] = MathF.Round((float)rng.NextDouble() * 4 - 2);       // -2..2 with -0 among them
        }
        foreach (int k in new[] { 1, 7, 20 })
        {
            var (expRows, expValues) = NaiveReference.TopActivatingRows(x, rows, cols, k);
            var top = Kernels.TopActivatingRows(TestData.Dense(x, rows, cols, 512), k);
            Assert.Equal(expRows, top.Rows);
            Assert.Equal(expValues, top.Values);
        }
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6], Kernels.TopActivatingRows(TestData.Dense(x, rows, cols, 512), 7).Rows.Take(7));
    }

    // ---------------------------------------------------------------- histograms

    [Theory]
    [InlineData(400, 37, 10, 0)]
    [InlineData(400, 37, 7, 33)]
    [InlineData(1, 4, 5, 0)]
    [InlineData(300, 601, 64, 70)]   // wide rows through the SIMD binning, an odd column count for its scalar tail
    [InlineData(200, 37, 300, 50)]   // more bins than a byte holds: the CPU kernel's other counting path
    public void Histograms_match_the_reference(int rows, int cols, int bins, int rowsPerBlock)
    {
        var x = TestData.Matrix(rows, cols, seed: bins);
        for (int r = 0; r < rows; r++) x[r * cols + 1] = -2.5f;   // a constant neuron
        var expected = NaiveReference.Histograms(x, rows, cols, bins, out var min, out var max);
        var h = Kernels.Histograms(TestData.Dense(x, rows, cols, rowsPerBlock), bins);
        Assert.Equal(bins, h.Bins);
        Assert.Equal(min, h.Min);
        Assert.Equal(max, h.Max);
        Assert.Equal(expected, h.Counts);
        for (int j = 0; j < cols; j++)
            Assert.Equal(rows, h.Counts.AsSpan(j * bins, bins).ToArray().Sum());
    }

    /// <summary>Values on and one or two floats beside every bin edge of the float64 formula, where a
    /// bin taken in float32 alone would differ: the kernel's bins must still be the formula's.</summary>
    [Theory]
    [InlineData(64, 100)]
    [InlineData(7, 333)]
    public void Histogram_values_beside_bin_edges_take_the_float64_formulas_bin(int bins, int rowsPerBlock)
    {
        int cols = 70;   // a strip of 64 neurons and a part strip of 6
        var rng = new Random(bins);
        var columns = new List<float>[cols];
        for (int j = 0; j < cols; j++)
        {
            float lo = (float)(rng.NextDouble() * 6 - 3), hi = lo + (float)(0.01 + rng.NextDouble() * Math.Pow(10, rng.Next(-2, 4)));
            double scale = bins / ((double)hi - lo);
            var values = new List<float> { lo, hi };
            for (int k = 1; k < bins; k++)
            {
                float edge = (float)(lo + k / scale);
                values.AddRange([edge, MathF.BitIncrement(edge), MathF.BitDecrement(edge),
                    MathF.BitIncrement(MathF.BitIncrement(edge)), MathF.BitDecrement(MathF.BitDecrement(edge))]);
            }
            columns[j] = values.Where(v => v >= lo && v <= hi).ToList();
        }
        int rows = columns.Max(c => c.Count) + 150;
        var x = new float[rows * cols];
        for (int j = 0; j < cols; j++)
            for (int r = 0; r < rows; r++)
                x[r * cols + j] = r < columns[j].Count ? columns[j][r] : columns[j][rng.Next(columns[j].Count)];
        var expected = NaiveReference.Histograms(x, rows, cols, bins, out _, out _);
        var h = Kernels.Histograms(TestData.Dense(x, rows, cols, rowsPerBlock), bins);
        Assert.Equal(expected, h.Counts);
    }

    [Fact]
    public void Histogram_quantiles_of_a_uniform_grid_are_close_to_exact()
    {
        int rows = 10001;
        var x = Enumerable.Range(0, rows).Select(i => (float)i).ToArray();   // 0..10000
        var h = Kernels.Histograms(TestData.Dense(x, rows, 1, 1000), 100);
        Assert.Equal(0f, h.Min[0]);
        Assert.Equal(10000f, h.Max[0]);
        // Interpolation inside a bin of width 100 is within a couple of units of the exact value.
        Assert.InRange(h.Quantile(0, 0.5), 4998, 5002);
        Assert.InRange(h.Quantile(0, 0.9), 8998, 9002);
    }

    // ---------------------------------------------------------------- SGEMM

    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory, MemberData(nameof(Transposes))]
    public void Sgemm_matches_the_float64_product(bool ta, bool tb)
    {
        foreach (var (m, n, k) in new[] { (37, 29, 53), (1, 1, 1), (70, 130, 3), (5, 200, 300) })
        {
            int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
            var rng = new Random(m * n + k);
            var a = Enumerable.Range(0, (ta ? k : m) * lda).Select(_ => (float)TestData.Gaussian(rng)).ToArray();
            var b = Enumerable.Range(0, (tb ? n : k) * ldb).Select(_ => (float)TestData.Gaussian(rng)).ToArray();
            var c = Enumerable.Range(0, m * ldc).Select(_ => (float)TestData.Gaussian(rng)).ToArray();
            var expected = NaiveReference.Gemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, 0.5f, c, ldc);
            Kernels.Sgemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, 0.5f, c, ldc);
            for (int i = 0; i < m; i++)
                Close.All(expected.AsSpan(i * n, n), c.AsSpan(i * ldc, n), GemmTolerance * Math.Sqrt(k), $"C row {i} ({m}×{n}×{k}, ta={ta}, tb={tb})");
        }
    }
}
