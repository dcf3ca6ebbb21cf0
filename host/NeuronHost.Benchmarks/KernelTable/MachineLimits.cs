using System.Runtime.Intrinsics;
using NeuronHost.Kernels.Blas;

namespace NeuronHost.Benchmarks.KernelTable;

/// <summary>The ceilings kernels are compared with. Each is one timed pass, so it can run as a
/// side in the same rounds as the kernel it bounds: read bandwidth (a SIMD sum), write bandwidth
/// (SIMD stores), read+write bandwidth (an in-place SIMD add: the limit of an edit, which reads
/// and writes every byte it touches) over a buffer far larger than the caches, on all threads;
/// and SGEMM throughput of the BLAS in use.</summary>
internal static unsafe class MachineLimits
{
    public enum Pass { Read, Write, ReadWrite }

    /// <summary>Seconds of one pass over <paramref name="buffer"/>; bytes moved = <see cref="Bytes"/>.</summary>
    public static double Time(Pass pass, float[] buffer, int threads) => Harness.Rounds.Time(() =>
    {
        long count = buffer.LongLength;
        var sums = new float[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            long start = count * t / threads / 64 * 64, end = t == threads - 1 ? count : count * (t + 1) / threads / 64 * 64;
            fixed (float* p = buffer)
            {
                long i = start;
                switch (pass)
                {
                    case Pass.Read:
                        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                        for (; i + 64 <= end; i += 64)
                        {
                            a0 += Vector512.Load(p + i); a1 += Vector512.Load(p + i + 16);
                            a2 += Vector512.Load(p + i + 32); a3 += Vector512.Load(p + i + 48);
                        }
                        sums[t] = Vector512.Sum(a0 + a1 + a2 + a3);
                        break;
                    case Pass.Write:
                        var c = Vector512.Create(t * 1e-3f);
                        for (; i + 64 <= end; i += 64)
                        {
                            Vector512.Store(c, p + i); Vector512.Store(c, p + i + 16);
                            Vector512.Store(c, p + i + 32); Vector512.Store(c, p + i + 48);
                        }
                        break;
                    case Pass.ReadWrite:
                        var d = Vector512.Create(1e-7f);
                        for (; i + 64 <= end; i += 64)
                        {
                            Vector512.Store(Vector512.Load(p + i) + d, p + i); Vector512.Store(Vector512.Load(p + i + 16) + d, p + i + 16);
                            Vector512.Store(Vector512.Load(p + i + 32) + d, p + i + 32); Vector512.Store(Vector512.Load(p + i + 48) + d, p + i + 48);
                        }
                        break;
                }
                for (; i < end; i++) p[i] += 0f;
            }
        });
        GC.KeepAlive(sums);
    });

    /// <summary>Bytes a pass moves: read and write count once each, read+write counts both.</summary>
    public static double Bytes(Pass pass, float[] buffer) => buffer.LongLength * 4.0 * (pass == Pass.ReadWrite ? 2 : 1);

    /// <summary>Seconds of one n×n×n <see cref="Gemm.Sgemm"/> on the given operands.</summary>
    public static double SgemmSeconds(float[] a, float[] b, float[] c, int n) =>
        Harness.Rounds.Time(() => Gemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n));

}
