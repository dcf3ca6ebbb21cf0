namespace NeuronHost.Sdk;

public enum EditOp
{
    /// <summary>h ← 0</summary>
    Zero,
    /// <summary>h ← v (per-neuron value, e.g. mean ablation)</summary>
    Set,
    /// <summary>h ← h + v (translation: v = α·(q(z′) − q(z)))</summary>
    Add,
    /// <summary>h ← h · v</summary>
    Scale,
    /// <summary>h ← h + v·s(h), s(h) = +1 if h &gt; 0 else −1 (Zhao et al.'s NEG shift)</summary>
    ShiftBySign,
}

/// <summary>An edit of the neurons (columns) <paramref name="Neurons"/>: v is
/// <c>Values[i]</c> for neuron <c>Neurons[i]</c>, or <paramref name="Scalar"/> when Values is null.</summary>
public sealed record NeuronEdit(EditOp Op, int[] Neurons, float[]? Values = null, float Scalar = 0f)
{
    public float ValueFor(int i) => Values is null ? Scalar : Values[i];
}

/// <summary>Per-class and overall moments of every neuron. Means and variances are
/// [ClassCount, Neurons] row-major; variances are population variances (divided by N).
/// A class without tokens has count 0 and NaN means/variances.</summary>
public sealed record ClassMoments(
    int ClassCount,
    int Neurons,
    long[] Counts,
    double[] Means,
    double[] Variances,
    double[] OverallMean,
    double[] OverallVariance,
    float[] Min,
    float[] Max)
{
    public ReadOnlySpan<double> MeanOf(int cls) => Means.AsSpan(cls * Neurons, Neurons);
    public ReadOnlySpan<double> VarianceOf(int cls) => Variances.AsSpan(cls * Neurons, Neurons);
    public long Total => Counts.Sum();
}

/// <summary>Per neuron, the K rows with the highest activation, highest first:
/// <c>Rows[n*K + i]</c>, <c>Values[n*K + i]</c>; fewer than K real entries are padded with row -1.</summary>
public sealed record TopActivations(int K, int Neurons, long[] Rows, float[] Values);

/// <summary>Per neuron, counts in <paramref name="Bins"/> equal bins between its Min and Max
/// (<c>Counts[n*Bins + b]</c>).</summary>
public sealed record NeuronHistograms(int Bins, int Neurons, float[] Min, float[] Max, long[] Counts)
{
    /// <summary>Approximate quantile q ∈ [0,1] of neuron n, interpolated inside its bin.</summary>
    public double Quantile(int neuron, double q)
    {
        var counts = Counts.AsSpan(neuron * Bins, Bins);
        long total = 0; foreach (var c in counts) total += c;
        if (total == 0) return double.NaN;
        double target = q * total, width = ((double)Max[neuron] - Min[neuron]) / Bins, seen = 0;
        for (int b = 0; b < Bins; b++)
        {
            if (seen + counts[b] >= target && counts[b] > 0)
                return Min[neuron] + width * (b + (target - seen) / counts[b]);
            seen += counts[b];
        }
        return Max[neuron];
    }
}

/// <summary>A NaN or infinity in activations: names where, instead of returning garbage.</summary>
public sealed class NonFiniteActivationException(long row, int column, float value)
    : Exception($"activation at row {row}, neuron {column} is {value} (not finite)")
{
    public long Row { get; } = row;
    public int Column { get; } = column;
}

/// <summary>The compute kernels a plugin may call. Backends: CPU SIMD (default) and ILGPU (CUDA, OpenCL, its CPU accelerator).
/// Streaming kernels read the matrix block by block, so it never has to fit in memory.</summary>
public interface IComputeKernels
{
    /// <summary>"cpu-simd", "cuda:0: &lt;device&gt;", "ilgpu-cpu: CPUAccelerator", …</summary>
    string Backend { get; }

    /// <summary>Counts, means and variances per class and overall, min/max per neuron. Labels
    /// outside [0, classCount) are an error; a label of -1 means "no class" (skipped in the
    /// class moments, counted in the overall ones).</summary>
    ClassMoments ClassMoments(IActivationMatrix x, ReadOnlyMemory<int> labels, int classCount, CancellationToken cancellation = default);

    /// <summary>Σ over class pairs z &lt; z′ of |mean(z) − mean(z′)| per neuron (classes with
    /// tokens only).</summary>
    double[] ProbelessScores(ClassMoments moments);

    /// <summary>[C, D]: for class z, Σ over z′ ≠ z of |mean(z) − mean(z′)|.</summary>
    double[] ProbelessPerClassScores(ClassMoments moments);

    /// <summary>Pearson correlation of every column of a with every column of b on the same
    /// rows: [a.Columns, b.Columns] row-major. A constant column correlates 0.</summary>
    float[] Correlation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default);

    /// <summary>Per column of a, max over columns of b of |ρ|, computed tile by tile without
    /// the full [D1, D2] matrix.</summary>
    double[] MaxAbsCorrelation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default);

    /// <summary>Applies the edit in place to x [rows, columns] on the rows whose mask is true
    /// (an empty mask means every row).</summary>
    void ApplyEdit(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit);

    /// <summary>Indices of the k largest scores, largest first (NaN counts as smallest; ties by
    /// lower index).</summary>
    int[] TopK(ReadOnlySpan<double> scores, int k);

    TopActivations TopActivatingRows(IActivationMatrix x, int k, CancellationToken cancellation = default);

    NeuronHistograms Histograms(IActivationMatrix x, int bins, CancellationToken cancellation = default);

    /// <summary>Row-major C[m,n] ← α·op(A)[m,k]·op(B)[k,n] + β·C, op = transpose when asked.
    /// lda/ldb/ldc are row strides.</summary>
    void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);
}
