using System.Runtime.InteropServices;

namespace NeuronHost.Benchmarks.KernelTable;

/// <summary>Big random buffers filled in parallel with a cheap generator (Random would take
/// longer than the kernels).</summary>
internal static class BenchData
{
    public static float[] Gaussianish(long count, int seed, int threads)
    {
        var x = GC.AllocateUninitializedArray<float>(checked((int)count));
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            long start = count * t / threads, end = count * (t + 1) / threads;
            ulong s = (ulong)(seed * 7919 + t + 1) * 0x9E3779B97F4A7C15UL;
            for (long i = start; i < end; i++)
            {
                // Sum of 4 uniforms: roughly normal, mean 0, variance 1/3.
                float v = 0;
                for (int q = 0; q < 4; q++)
                {
                    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                    v += (s >> 40) * (1f / (1 << 24)) - 0.5f;
                }
                x[i] = v * 1.7320508f;
            }
        });
        return x;
    }

    public static int[] Labels(int rows, int classes, int seed)
    {
        var rng = new Random(seed);
        var y = new int[rows];
        for (int i = 0; i < rows; i++) y[i] = rng.NextDouble() < 0.05 ? -1 : rng.Next(classes);
        return y;
    }

    public static Memory<float> Slice(float[] x, long start, long length) => x.AsMemory((int)start, (int)length);

    public static Span<byte> Bytes(float[] x) => MemoryMarshal.AsBytes(x.AsSpan());
}
