using System.Runtime.Intrinsics;
using NeuronHost.Kernels.Blas;

namespace NeuronHost.Kernels.Benchmarks.Table;

/// <summary>The ceilings the kernels are compared with, measured in the same run: single-pass
/// read bandwidth (a SIMD sum over a buffer far larger than the caches, on all threads) and
/// SGEMM throughput of the BLAS in use at a big square size.</summary>
internal static unsafe class MachineLimits
{
    /// <summary>GB/s of one read pass over <paramref name="buffer"/> on <paramref name="threads"/> threads.</summary>
    public static double ReadBandwidth(float[] buffer, long count, int threads, int reps)
    {
        double seconds = Timing.Best(reps, () =>
        {
            var sums = new float[threads];
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                long start = count * t / threads / 64 * 64, end = t == threads - 1 ? count : count * (t + 1) / threads / 64 * 64;
                fixed (float* p = buffer)
                {
                    Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    long i = start;
                    for (; i + 64 <= end; i += 64)
                    {
                        a0 += Vector512.Load(p + i);
                        a1 += Vector512.Load(p + i + 16);
                        a2 += Vector512.Load(p + i + 32);
                        a3 += Vector512.Load(p + i + 48);
                    }
                    float s = Vector512.Sum(a0 + a1 + a2 + a3);
                    for (; i < end; i++) s += p[i];
                    sums[t] = s;
                }
            });
            GC.KeepAlive(sums);
        });
        return count * 4.0 / seconds / 1e9;
    }

    /// <summary>GFLOP/s of <see cref="Gemm.Sgemm"/> (OpenBLAS when present) at n×n×n.</summary>
    public static double SgemmGflops(int n, int reps, out double seconds)
    {
        var a = BenchData.Gaussianish((long)n * n, 1, Environment.ProcessorCount);
        var b = BenchData.Gaussianish((long)n * n, 2, Environment.ProcessorCount);
        var c = new float[(long)n * n];
        Gemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);
        seconds = Timing.Best(reps, () => Gemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n));
        return 2.0 * n * n * n / seconds / 1e9;
    }

    public static double ManagedSgemmGflops(int n, int reps, out double seconds)
    {
        var a = BenchData.Gaussianish((long)n * n, 1, Environment.ProcessorCount);
        var b = BenchData.Gaussianish((long)n * n, 2, Environment.ProcessorCount);
        var c = new float[(long)n * n];
        seconds = Timing.Best(reps, () => ManagedGemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n));
        return 2.0 * n * n * n / seconds / 1e9;
    }
}
