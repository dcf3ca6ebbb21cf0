using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NeuronHost.Sdk;

namespace NeuronHost.Kernels.Cpu;

/// <summary>Streaming "max-activating examples": per neuron, the k rows with the highest value
/// (highest first, ties by lower row). Each partition keeps per-neuron min-heaps and a threshold
/// vector (the heap roots), so a row costs one SIMD compare per 16 neurons and heap work only
/// for the values that beat the threshold. Partitions are merged at the end.
/// A heap entry is one 64-bit key whose unsigned order is the entries' order (value, then the
/// lower row first), so the heap's steps are integer compares the JIT makes branch-free; -0 is
/// kept as +0 (they tie as floats, so only the row orders them, as before).</summary>
internal static unsafe class TopActivationsKernel
{
    /// <summary>One partition's heaps: per neuron k keys and one guard key (ulong.MaxValue, never
    /// the smaller child), in a pinned array so <see cref="Offer"/> works on pointers.</summary>
    private sealed class Partial
    {
        public readonly ulong[] Keys;
        public readonly float[] Threshold;
        public readonly int[] Size;
        public readonly ulong* K;
        public readonly float* T;
        public readonly int* S;
        public readonly int Stride;
        public Partial(int d, int k)
        {
            Stride = k + 1;
            Keys = GC.AllocateArray<ulong>(d * Stride, pinned: true);
            Keys.AsSpan().Fill(ulong.MaxValue);
            Size = GC.AllocateArray<int>(d, pinned: true);
            Threshold = GC.AllocateArray<float>(d, pinned: true);
            Threshold.AsSpan().Fill(float.NegativeInfinity);
            K = (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Keys));
            S = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Size));
            T = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Threshold));
        }
    }

    /// <summary>The key of (value, row): the value's bits made order-preserving as unsigned (-0
    /// as +0) above the row's complement, so a higher value, or the same value at a lower row, is
    /// a larger key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(float value, long row)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value + 0f);   // -0 + 0 = +0
        uint ordered = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ((ulong)ordered << 32) | (uint.MaxValue - (uint)row);
    }

    private static float ValueOf(ulong key)
    {
        uint ordered = (uint)(key >> 32);
        return BitConverter.UInt32BitsToSingle((ordered & 0x8000_0000u) != 0 ? ordered & 0x7FFF_FFFFu : ~ordered);
    }

    private static long RowOf(ulong key) => uint.MaxValue - (uint)key;

    public static TopActivations Compute(IActivationMatrix x, int k, int threads, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (k < 0) throw new ArgumentException($"k = {k} is negative");
        // the key holds a row in 32 bits: 4,294,967,295 rows (at 4 bytes a value, 17 GB per neuron)
        if (x.Rows > uint.MaxValue) throw new ArgumentException(FormattableString.Invariant($"top activating rows are kept for up to {uint.MaxValue:N0} rows, not {x.Rows:N0}"));
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

    /// <summary>Min-heap per neuron of keys (<see cref="Key"/>): the root is the worst kept. On
    /// random rows a neuron takes about k·(1 + ln(rows / k)) offers per partition (≈190 at 100,000
    /// rows and k = 20). A full heap replaces its root the bottom-up way: the hole goes down to a
    /// leaf along the smaller child with no data-dependent branch, then the new key climbs back
    /// (rarely more than a level). Rows arrive in ascending order within a partition, so a value
    /// above the threshold is always better than the root.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(Partial p, int j, int k, float value, long row)
    {
        ulong* keys = p.K + (long)j * p.Stride;
        ulong key = Key(value, row);
        int n = p.S[j];
        int c;
        if (n < k)
        {
            c = n;
            p.S[j] = n + 1;
        }
        else
        {
            // the hole from the root down to a leaf, always to the smaller child (the guard key
            // past the last entry is never smaller)
            c = 0;
            for (int l = 1; l < k; l = 2 * c + 1)
            {
                bool right = keys[l + 1] < keys[l];
                int m = l + *(byte*)&right;
                keys[c] = keys[m];
                c = m;
            }
        }
        while (c > 0)
        {
            int parent = (c - 1) >> 1;
            if (keys[parent] <= key) break;
            keys[c] = keys[parent];
            c = parent;
        }
        keys[c] = key;
        if (n + 1 >= k) p.T[j] = ValueOf(keys[0]);
    }

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
                {
                    ulong key = p.Keys[(long)j * p.Stride + i];
                    candidates[n++] = (ValueOf(key), RowOf(key));
                }
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
