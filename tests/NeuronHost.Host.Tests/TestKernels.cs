using NeuronHost.Sdk;

namespace NeuronHost.Host.Tests;

/// <summary>A plugin context whose kernels are not available: the plugins under test here do
/// their own arithmetic, and a call into the kernels would fail the test loudly.</summary>
internal static class TestContext
{
    public static IPluginContext Create() => new PluginContext(new NoKernels());

    private sealed class NoKernels : IComputeKernels
    {
        private static Exception Missing() => new NotSupportedException("no kernels in this test");
        public string Backend => "none";
        public ClassMoments ClassMoments(IActivationMatrix x, ReadOnlyMemory<int> labels, int classCount, CancellationToken cancellation = default) => throw Missing();
        public double[] ProbelessScores(ClassMoments moments) => throw Missing();
        public double[] ProbelessPerClassScores(ClassMoments moments) => throw Missing();
        public float[] Correlation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default) => throw Missing();
        public double[] MaxAbsCorrelation(IActivationMatrix a, IActivationMatrix b, CancellationToken cancellation = default) => throw Missing();
        public void ApplyEdit(Span<float> x, int rows, int columns, ReadOnlySpan<bool> rowMask, NeuronEdit edit) => throw Missing();
        public int[] TopK(ReadOnlySpan<double> scores, int k) => throw Missing();
        public TopActivations TopActivatingRows(IActivationMatrix x, int k, CancellationToken cancellation = default) => throw Missing();
        public NeuronHistograms Histograms(IActivationMatrix x, int bins, CancellationToken cancellation = default) => throw Missing();
        public void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
            ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) => throw Missing();
    }

    /// <summary>Probing data over a dense matrix, every token labelled 0 of one class.</summary>
    public static ProbingData Data(float[] values, int rows, int columns, int rowsPerBlock = 0, string hook = "blocks.0.mlp.hook_post") =>
        new("test", ["all"], new DataSplit(new DenseActivationMatrix(values, rows, columns, hook, rowsPerBlock), new int[rows]));
}
