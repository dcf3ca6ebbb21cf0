using System.Globalization;

namespace NeuronHost.Benchmarks.Harness;

/// <summary>A PyTorch reference's two thread counts: torch's own (intra-op) threads and its
/// OpenBLAS's. They are separate pools: torch.set_num_threads(1) alone left OpenBLAS's products on
/// both cores of this machine (147–159 GFLOP/s against 82–89 with OpenBLAS at 1), so "PyTorch at 1
/// thread" multiplied on 2. <see cref="Blas"/> is null when torch's BLAS is not an OpenBLAS the
/// reference can set (its threads then follow torch's, as MKL's do).</summary>
public readonly record struct ReferenceThreads(int Torch, int? Blas)
{
    /// <summary>Every setting up to <paramref name="cores"/> of each: both counts when OpenBLAS's
    /// can be set, else torch's alone.</summary>
    public static IReadOnlyList<ReferenceThreads> UpTo(int cores, bool setsOpenBlas) =>
        Enumerable.Range(1, Math.Max(1, cores))
            .SelectMany(t => setsOpenBlas ? Enumerable.Range(1, Math.Max(1, cores)).Select(b => new ReferenceThreads(t, b)) : [new ReferenceThreads(t, null)])
            .ToList();

    public override string ToString() =>
        $"{Torch.ToString(CultureInfo.InvariantCulture)} thread{(Torch == 1 ? "" : "s")}" +
        (Blas is { } b ? $" + OpenBLAS {b.ToString(CultureInfo.InvariantCulture)}" : "");
}
