namespace NeuronHost.Kernels;

/// <summary>What one kernel call moves and computes: the minimum bytes it must read from and
/// write to memory and its arithmetic, for roofline ratios (GB/s, GFLOP/s) in benchmarks. The
/// same formulas hold for every backend.</summary>
public sealed record KernelInfo(string Kernel, string Shape, double BytesRead, double BytesWritten, double Flops, string Bound)
{
    public double Bytes => BytesRead + BytesWritten;

    /// <summary>One pass over X [n, d] float32; per value: widen, subtract shift, add, FMA, min, max.</summary>
    public static KernelInfo ClassMoments(long n, int d, int classes) =>
        new("class moments", $"{n}×{d}, {classes} classes", 4.0 * n * d + 4.0 * n, 16.0 * d * (classes + 3), 6.0 * n * d, "memory");

    /// <summary>In-place edit of the masked rows × listed neurons: read and write each once.</summary>
    public static KernelInfo MaskedEdit(long maskedRows, int neurons) =>
        new("masked edit", $"{maskedRows} rows × {neurons} neurons", 4.0 * maskedRows * neurons, 4.0 * maskedRows * neurons, 1.0 * maskedRows * neurons, "memory");

    /// <summary>Two statistics passes and one standardise+GEMM pass; 2·n·d1·d2 flops.</summary>
    public static KernelInfo Correlation(long n, int d1, int d2) =>
        new("correlation", $"{n}×{d1} vs {d2}", 2 * 4.0 * n * (d1 + d2), 4.0 * d1 * d2, 2.0 * n * d1 * d2, "compute (SGEMM)");

    /// <summary>Streaming top-k rows per neuron: one read pass, one compare per value.</summary>
    public static KernelInfo TopActivatingRows(long n, int d, int k) =>
        new("top activating rows", $"{n}×{d}, k={k}", 4.0 * n * d, 12.0 * d * k, 1.0 * n * d, "memory");

    /// <summary>Two read passes (min/max, then counts).</summary>
    public static KernelInfo Histograms(long n, int d, int bins) =>
        new("histograms", $"{n}×{d}, {bins} bins", 8.0 * n * d, 8.0 * d * bins, 4.0 * n * d, "memory");

    public static KernelInfo Sgemm(int m, int n, int k) =>
        new("sgemm", $"{m}×{n}×{k}", 4.0 * ((double)m * k + (double)k * n), 4.0 * m * n, 2.0 * m * n * k, "compute");
}
