using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Streaming "max-activating examples": per neuron, the k rows with the highest value
/// (highest first, ties by lower row). Each partition keeps per-neuron min-heaps and a threshold
/// vector (the heap roots), so a row costs one SIMD compare per 16 neurons and heap work only
/// for the rare values that beat the threshold. Partitions are merged at the end.</summary>
internal static unsafe class TopActivationsKernel
{
    /// <summary>One partition's heaps, in pinned arrays so <see cref="Offer"/> works on pointers.</summary>
    private sealed class Partial
    {
        public readonly float[] Values, Threshold;
        public readonly long[] Rows;
        public readonly int[] Size;
        public readonly float* V, T;
        public readonly long* R;
        public readonly int* S;
        public Partial(int d, int k)
        {
            Values = GC.AllocateArray<float>(d * k, pinned: true);
            Rows = GC.AllocateArray<long>(d * k, pinned: true);
            Size = GC.AllocateArray<int>(d, pinned: true);
            Threshold = GC.AllocateArray<float>(d, pinned: true);
            Threshold.AsSpan().Fill(float.NegativeInfinity);
            V = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Values));
            R = (long*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Rows));
            S = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Size));
            T = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Threshold));
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
                if (!ScanRows(parts[t], block, start, end, k)) throw NonFinite.Locate(x);
            });
        }
        return Merge(parts, d, k);
    }

    /// <summary>Rows [start, end) of a block offered to a partition's heaps; false if a value is
    /// NaN or ±∞. 32 neurons per step: a lane is a candidate when it beats its neuron's threshold or
    /// is not finite (|x| &lt; ∞ is false for both), and the four masks are OR-ed so the common
    /// step is loads, compares and one branch. No value is carried from step to step (a running
    /// NaN-poison sum was a loop-carried dependency that bounded the scan).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ScanRows(Partial p, ActivationBlock block, int start, int end, int k)
    {
        int d = block.Columns;
        bool finite = true;
        var infinity = Vector256.Create(float.PositiveInfinity);
        float* thr = p.T;
        fixed (float* px = block.Span)
        {
            for (int r = start; r < end; r++)
            {
                float* row = px + (long)r * d;
                long rowIndex = block.FirstRow + r;
                int j = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; j <= d - 32; j += 32)
                    {
                        var m0 = Candidates(Vector256.Load(row + j), Vector256.Load(thr + j), infinity);
                        var m1 = Candidates(Vector256.Load(row + j + 8), Vector256.Load(thr + j + 8), infinity);
                        var m2 = Candidates(Vector256.Load(row + j + 16), Vector256.Load(thr + j + 16), infinity);
                        var m3 = Candidates(Vector256.Load(row + j + 24), Vector256.Load(thr + j + 24), infinity);
                        if (((m0 | m1) | (m2 | m3)).ExtractMostSignificantBits() == 0) continue;
                        finite &= OfferLanes(p, row, j, m0.ExtractMostSignificantBits(), k, rowIndex);
                        finite &= OfferLanes(p, row, j + 8, m1.ExtractMostSignificantBits(), k, rowIndex);
                        finite &= OfferLanes(p, row, j + 16, m2.ExtractMostSignificantBits(), k, rowIndex);
                        finite &= OfferLanes(p, row, j + 24, m3.ExtractMostSignificantBits(), k, rowIndex);
                    }
                }
                for (; j < d; j++)
                {
                    float v = row[j];
                    if (!float.IsFinite(v)) finite = false;
                    else if (v > thr[j]) Offer(p, j, k, v, rowIndex);
                }
            }
        }
        return finite;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Candidates(Vector256<float> v, Vector256<float> threshold, Vector256<float> infinity) =>
        Vector256.GreaterThan(v, threshold) | ~Vector256.LessThan(Vector256.Abs(v), infinity);

    /// <summary>The rare path: each lane of the mask offered (or found not finite).</summary>
    private static bool OfferLanes(Partial p, float* row, int j, uint mask, int k, long rowIndex)
    {
        bool finite = true;
        while (mask != 0)
        {
            int b = BitOperations.TrailingZeroCount(mask);
            mask &= mask - 1;
            float v = row[j + b];
            if (!float.IsFinite(v)) finite = false;
            else Offer(p, j + b, k, v, rowIndex);
        }
        return finite;
    }

    /// <summary>Min-heap per neuron keyed by (value asc, row desc): the root is the worst kept.
    /// On random rows a neuron takes about k·(1 + ln(rows / k)) offers per partition (≈190 at
    /// 100,000 rows and k = 20), so this runs a million times a pass: pointers, and the new value
    /// sifted down into a hole rather than swapped level by level.</summary>
    private static void Offer(Partial p, int j, int k, float value, long row)
    {
        float* vals = p.V + (long)j * k;
        long* rows = p.R + (long)j * k;
        int n = p.S[j];
        if (n < k)
        {
            int i = n;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (!Worse(value, row, vals[parent], rows[parent])) break;
                vals[i] = vals[parent]; rows[i] = rows[parent];
                i = parent;
            }
            vals[i] = value; rows[i] = row;
            p.S[j] = ++n;
            if (n == k) p.T[j] = vals[0];
            return;
        }
        // Rows arrive in ascending order within a partition, so value > root is "better".
        int c = 0;
        while (true)
        {
            int l = 2 * c + 1;
            if (l >= k) break;
            int w = l + 1 < k && Worse(vals[l + 1], rows[l + 1], vals[l], rows[l]) ? l + 1 : l;
            if (!Worse(vals[w], rows[w], value, row)) break;
            vals[c] = vals[w]; rows[c] = rows[w];
            c = w;
        }
        vals[c] = value; rows[c] = row;
        p.T[j] = vals[0];
    }

    private static bool Worse(float a, long ra, float b, long rb) => a < b || (a == b && ra > rb);

    private static TopActivations Merge(Partial[] parts, int d, int k)
    {
        var rows = new long[(long)d * k];
        var values = new float[(long)d * k];
        var candidates = new (float Value, long Row)[parts.Length * k];
        for (int j = 0; j < d; j++)
        {
            int n = 0;
            foreach (var p in parts)
                for (int i = 0; i < p.Size[j]; i++)
                    candidates[n++] = (p.Values[(long)j * k + i], p.Rows[(long)j * k + i]);
            candidates.AsSpan(0, n).Sort(new BestFirst());
            for (int i = 0; i < k; i++)
            {
                bool real = i < n;
                rows[(long)j * k + i] = real ? candidates[i].Row : -1;
                values[(long)j * k + i] = real ? candidates[i].Value : float.NaN;
            }
        }
        return new TopActivations(k, d, rows, values);
    }

    /// <summary>Highest value first, ties by lower row.</summary>
    private readonly struct BestFirst : IComparer<(float Value, long Row)>
    {
        public int Compare((float Value, long Row) a, (float Value, long Row) b) =>
            a.Value != b.Value ? b.Value.CompareTo(a.Value) : a.Row.CompareTo(b.Row);
    }
}
