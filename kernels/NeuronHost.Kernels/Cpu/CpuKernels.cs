using NeuronHost.Kernels.Blas;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>The default backend: SIMD (Vector512/Vector256) kernels, rows split over
/// <see cref="Threads"/> threads, float64 accumulation, SGEMM through <see cref="Gemm"/>.
/// Results do not depend on how the matrix is cut into blocks, and depend on the thread count
/// only through floating-point rounding of the merge.</summary>
public sealed class CpuKernels : IComputeKernels
{
    /// <param name="threads">Worker threads; 0 or less means <see cref="Environment.ProcessorCount"/>.</param>
    public CpuKernels(int threads = 0)
    {
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
    }

    public int Threads { get; }

    /// <summary>Working-buffer sizes of the correlation kernels (tests shrink them to force tiling).</summary>
    internal CorrelationKernel.Buffers CorrelationBuffers { get; init; } = CorrelationKernel.Buffers.Default;

    public string Backend => "cpu-simd";

    /// <summary>The SGEMM implementation in use ("OpenBLAS (…)" or the managed fallback).</summary>
    public static string GemmImplementation => Gemm.Implementation;

    public ClassMoments ClassMoments(IActivationMatrix x, ReadOnlyMemory<int> labels, int classCount, CancellationToken cancellation = default) =>
        ClassMomentsKernel.Compute(x, labels, classCount, Threads, cancellation);

    public double[] ProbelessScores(ClassMoments moments) => ProbelessKernel.Overall(moments);

    public double[] ProbelessPerClassScores(ClassMoments moments) => ProbelessKernel.PerClass(moments);

    public float[] Correlation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default) =>
        CorrelationKernel.Correlation(a, b, Threads, CorrelationBuffers, cancellation);

    public double[] MaxAbsCorrelation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default) =>
        CorrelationKernel.MaxAbsCorrelation(a, b, Threads, CorrelationBuffers, cancellation);

    public void ApplyEdit(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit) =>
        EditKernel.Apply(x, rows, columns, rowMask, edit, Threads);

    public int[] TopK(ReadOnlySpan<double> scores, int k) => TopKKernel.TopK(scores, k);

    public TopActivations TopActivatingRows(IActivationMatrix x, int k, CancellationToken cancellation = default) =>
        TopActivationsKernel.Compute(x, k, Threads, cancellation);

    public NeuronHistograms Histograms(IActivationMatrix x, int bins, CancellationToken cancellation = default) =>
        HistogramKernel.Compute(x, bins, Threads, cancellation);

    public void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Gemm.Sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
