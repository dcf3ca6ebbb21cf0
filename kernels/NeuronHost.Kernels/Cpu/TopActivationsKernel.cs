using System.Numerics;
using System.Runtime.Intrinsics;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Streaming "max-activating examples": per neuron, the k rows with the highest value
/// (highest first, ties by lower row). Each partition keeps per-neuron min-heaps and a threshold
/// vector (the heap roots), so a row costs one SIMD compare per 16 neurons and heap work only
/// for the rare values that beat the threshold. Partitions are merged at the end.</summary>
internal static unsafe class TopActivationsKernel
{
    private sealed class Partial
    {
        public readonly float[] Values, Threshold;
        public readonly long[] Rows;
        public readonly int[] Size;
        public Partial(int d, int k)
        {
            Values = new float[(long)d * k];
            Rows = new long[(long)d * k];
            Size = new int[d];
            Threshold = new float[d];
            Threshold.AsSpan().Fill(float.NegativeInfinity);
        }
    }

    public static TopActivations Compute(IActivationMatrix x, int k, int threads, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (k < 0) throw new ArgumentException($"k = {k} is negative");
        int d = x.Columns;
        var parts = new Partial[threads];
        for (int t = 0; t < threads; t++) parts[t] = new Partial(d, k);
        if (k > 0)
        {
            RowStreaming.Run(x, threads, cancellation, (t, block, start, end) =>
            {
                var p = parts[t];
                fixed (float* px = block.Span, thr = p.Threshold)
                {
                    var poison = Vector256<float>.Zero;
                    var poison512 = Vector512<float>.Zero;
                    for (int r = start; r < end; r++)
                    {
                        float* row = px + (long)r * d;
                        long rowIndex = block.FirstRow + r;
                        int j = 0;
                        if (Vector512.IsHardwareAccelerated)
                        {
                            for (; j <= d - 16; j += 16)
                            {
                                var v = Vector512.Load(row + j);
                                poison512 = Vector512.FusedMultiplyAdd(v, Vector512<float>.Zero, poison512);
                                ulong mask = Vector512.GreaterThan(v, Vector512.Load(thr + j)).ExtractMostSignificantBits();
                                while (mask != 0)
                                {
                                    int b = BitOperations.TrailingZeroCount(mask);
                                    mask &= mask - 1;
                                    Offer(p, j + b, k, row[j + b], rowIndex);
                                }
                            }
                        }
                        for (; j <= d - 8; j += 8)
                        {
                            var v = Vector256.Load(row + j);
                            poison = Vector256.FusedMultiplyAdd(v, Vector256<float>.Zero, poison);
                            uint mask = Vector256.GreaterThan(v, Vector256.Load(thr + j)).ExtractMostSignificantBits();
                            while (mask != 0)
                            {
                                int b = BitOperations.TrailingZeroCount(mask);
                                mask &= mask - 1;
                                Offer(p, j + b, k, row[j + b], rowIndex);
                            }
                        }
                        for (; j < d; j++)
                        {
                            float v = row[j];
                            if (!float.IsFinite(v)) poison = Vector256.Create(float.NaN);
                            if (v > thr[j]) Offer(p, j, k, v, rowIndex);
                        }
                    }
                    if (!Vector256.EqualsAll(poison, poison) || !Vector512.EqualsAll(poison512, poison512)) throw NonFinite.Locate(x);
                }
            });
        }
        return Merge(parts, d, k);
    }

    /// <summary>Min-heap per neuron keyed by (value asc, row desc): the root is the worst kept.</summary>
    private static void Offer(Partial p, int j, int k, float value, long row)
    {
        long o = (long)j * k;
        var vals = p.Values.AsSpan((int)o, k);
        var rows = p.Rows.AsSpan((int)o, k);
        int n = p.Size[j];
        if (n < k)
        {
            int i = n;
            vals[i] = value; rows[i] = row;
            while (i > 0)
            {
                int par = (i - 1) / 2;
                if (!Worse(vals[i], rows[i], vals[par], rows[par])) break;
                (vals[i], vals[par]) = (vals[par], vals[i]);
                (rows[i], rows[par]) = (rows[par], rows[i]);
                i = par;
            }
            p.Size[j] = ++n;
            if (n == k) p.Threshold[j] = vals[0];
            return;
        }
        // Rows arrive in ascending order within a partition, so value > root is "better".
        vals[0] = value; rows[0] = row;
        int c = 0;
        while (true)
        {
            int l = 2 * c + 1, r = l + 1, w = c;
            if (l < k && Worse(vals[l], rows[l], vals[w], rows[w])) w = l;
            if (r < k && Worse(vals[r], rows[r], vals[w], rows[w])) w = r;
            if (w == c) break;
            (vals[c], vals[w]) = (vals[w], vals[c]);
            (rows[c], rows[w]) = (rows[w], rows[c]);
            c = w;
        }
        p.Threshold[j] = vals[0];
    }

    private static bool Worse(float a, long ra, float b, long rb) => a < b || (a == b && ra > rb);

    private static TopActivations Merge(Partial[] parts, int d, int k)
    {
        var rows = new long[(long)d * k];
        var values = new float[(long)d * k];
        var candidates = new List<(float Value, long Row)>();
        for (int j = 0; j < d; j++)
        {
            candidates.Clear();
            foreach (var p in parts)
                for (int i = 0; i < p.Size[j]; i++)
                    candidates.Add((p.Values[(long)j * k + i], p.Rows[(long)j * k + i]));
            candidates.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : a.Row.CompareTo(b.Row));
            for (int i = 0; i < k; i++)
            {
                bool real = i < candidates.Count;
                rows[(long)j * k + i] = real ? candidates[i].Row : -1;
                values[(long)j * k + i] = real ? candidates[i].Value : float.NaN;
            }
        }
        return new TopActivations(k, d, rows, values);
    }
}
