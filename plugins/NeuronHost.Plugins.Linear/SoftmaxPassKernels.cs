using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuronHost.Plugins.Linear;

/// <summary>The two matrix products of a softmax-regression pass, hand-written for the shape they
/// have here: a block of raw activations X [rows, features] (row-major, read in place) against few
/// classes. A general SGEMM packs X on every call, which costs about as much as the product when
/// only ~20 columns come out of it; these kernels read X straight from cache instead.
/// Standardisation happens on the fly: x − mean is formed in registers and the caller folds 1/std
/// into the weights (forward) or the gradient (backward), so X is never copied.
/// Classes are covered by register tiles of 2–5 classes (17 = 4 + 4 + 4 + 5), so no arithmetic
/// is spent on padding. Single-threaded: callers parallelise over row blocks, so each core keeps
/// its own block of X in its own cache between the two products.</summary>
internal static class SoftmaxPassKernels
{
    private const int RowTile = 4;          // forward tile: 4 rows × up to 5 classes = 20 accumulators
    private const int FeatureVectors = 4;   // backward tile: 4 vectors of features × up to 5 classes

    /// <summary>z[i, c] = Σ_j (x[i, j] − mean[j]) · wT[c, j] for the block's rows; wT is
    /// [classes, features], z is [rows, classes] (overwritten).</summary>
    public static void Logits(ReadOnlySpan<float> x, int rows, int features, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> wT, int classes, Span<float> z)
    {
        Check(x.Length, rows, features, mean.Length, wT.Length, classes, z.Length);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float m0 = ref MemoryMarshal.GetReference(mean);
        ref float w0 = ref MemoryMarshal.GetReference(wT);
        ref float z0 = ref MemoryMarshal.GetReference(z);
        int i = 0;
        for (; i + RowTile <= rows; i += RowTile)
        {
            ref float xi = ref Unsafe.Add(ref x0, (nint)i * features);
            ref float zi = ref Unsafe.Add(ref z0, (nint)i * classes);
            for (int c = 0; c < classes;)
            {
                int n = TileWidth(classes - c);
                ref float wc = ref Unsafe.Add(ref w0, (nint)c * features);
                ref float zc = ref Unsafe.Add(ref zi, c);
                switch (n)
                {
                    case 1: LogitsTile<One>(ref xi, features, ref m0, ref wc, ref zc, classes); break;
                    case 2: LogitsTile<Two>(ref xi, features, ref m0, ref wc, ref zc, classes); break;
                    case 3: LogitsTile<Three>(ref xi, features, ref m0, ref wc, ref zc, classes); break;
                    case 4: LogitsTile<Four>(ref xi, features, ref m0, ref wc, ref zc, classes); break;
                    default: LogitsTile<Five>(ref xi, features, ref m0, ref wc, ref zc, classes); break;
                }
                c += n;
            }
        }
        for (; i < rows; i++)
            for (int c = 0; c < classes; c++)
                Unsafe.Add(ref z0, (nint)i * classes + c) =
                    CenteredDot(ref Unsafe.Add(ref x0, (nint)i * features), ref m0, ref Unsafe.Add(ref w0, (nint)c * features), 0, features);
    }

    /// <summary>gT[c, j] += Σ_i r[i, c] · (x[i, j] − mean[j]) over the block's rows; r is
    /// [rows, classes], gT is [classes, features].</summary>
    public static void AccumulateGradient(ReadOnlySpan<float> x, int rows, int features, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> r, int classes, Span<float> gT)
    {
        Check(x.Length, rows, features, mean.Length, gT.Length, classes, r.Length);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float m0 = ref MemoryMarshal.GetReference(mean);
        ref float r0 = ref MemoryMarshal.GetReference(r);
        ref float g0 = ref MemoryMarshal.GetReference(gT);
        int width = Vector<float>.Count, j = 0;
        for (; j + FeatureVectors * width <= features; j += FeatureVectors * width)
            for (int c = 0; c < classes;)
            {
                int n = TileWidth(classes - c);
                ref float xj = ref Unsafe.Add(ref x0, j);
                ref float mj = ref Unsafe.Add(ref m0, j);
                ref float rc = ref Unsafe.Add(ref r0, c);
                ref float gc = ref Unsafe.Add(ref g0, (nint)c * features + j);
                switch (n)
                {
                    case 1: GradientTile<One>(ref xj, rows, features, ref mj, ref rc, classes, ref gc); break;
                    case 2: GradientTile<Two>(ref xj, rows, features, ref mj, ref rc, classes, ref gc); break;
                    case 3: GradientTile<Three>(ref xj, rows, features, ref mj, ref rc, classes, ref gc); break;
                    case 4: GradientTile<Four>(ref xj, rows, features, ref mj, ref rc, classes, ref gc); break;
                    default: GradientTile<Five>(ref xj, rows, features, ref mj, ref rc, classes, ref gc); break;
                }
                c += n;
            }
        for (; j < features; j++)   // the last features % (4·width) columns, scalar
        {
            float m = Unsafe.Add(ref m0, j);
            for (int c = 0; c < classes; c++)
            {
                float acc = 0;
                for (int i = 0; i < rows; i++)
                    acc += Unsafe.Add(ref r0, (nint)i * classes + c) * (Unsafe.Add(ref x0, (nint)i * features + j) - m);
                Unsafe.Add(ref g0, (nint)c * features + j) += acc;
            }
        }
    }

    /// <summary>Classes in the next tile when `left` remain: fours, with the remainder folded
    /// into the last tile (…, 4, 5 for 4q + 1; …, 4, 2 for 4q + 2; …, 4, 3 for 4q + 3).</summary>
    private static int TileWidth(int left) => left == 5 || left < 4 ? left : 4;

    private interface IClassCount { static abstract int Count { get; } }
    private struct One : IClassCount { public static int Count => 1; }
    private struct Two : IClassCount { public static int Count => 2; }
    private struct Three : IClassCount { public static int Count => 3; }
    private struct Four : IClassCount { public static int Count => 4; }
    private struct Five : IClassCount { public static int Count => 5; }

    /// <summary>Four rows × TC.Count classes: one accumulator per (row, class) over the features,
    /// reduced at the end. TC is a struct, so each width gets its own compiled copy in which the
    /// unused classes' code is gone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogitsTile<TC>(ref float x, int features, ref float mean, ref float w, ref float z, int zStride)
        where TC : struct, IClassCount
    {
        int n = TC.Count;
        nint f = features;
        ref float xa = ref x; ref float xb = ref Unsafe.Add(ref x, f);
        ref float xc = ref Unsafe.Add(ref x, 2 * f); ref float xd = ref Unsafe.Add(ref x, 3 * f);
        // rows of wT for the tile's classes; rows past the tile alias row 0 and are never read
        ref float w1 = ref n > 1 ? ref Unsafe.Add(ref w, f) : ref w;
        ref float w2 = ref n > 2 ? ref Unsafe.Add(ref w, 2 * f) : ref w;
        ref float w3 = ref n > 3 ? ref Unsafe.Add(ref w, 3 * f) : ref w;
        ref float w4 = ref n > 4 ? ref Unsafe.Add(ref w, 4 * f) : ref w;
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
        Vector<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default;
        Vector<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default;
        Vector<float> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default;
        int width = Vector<float>.Count, j = 0;
        for (; j + width <= features; j += width)
        {
            nuint o = (nuint)j;
            var m = Vector.LoadUnsafe(ref mean, o);
            var va = Vector.LoadUnsafe(ref xa, o) - m; var vb = Vector.LoadUnsafe(ref xb, o) - m;
            var vc = Vector.LoadUnsafe(ref xc, o) - m; var vd = Vector.LoadUnsafe(ref xd, o) - m;
            var u = Vector.LoadUnsafe(ref w, o);
            a0 = Vector.FusedMultiplyAdd(va, u, a0); b0 = Vector.FusedMultiplyAdd(vb, u, b0);
            c0 = Vector.FusedMultiplyAdd(vc, u, c0); d0 = Vector.FusedMultiplyAdd(vd, u, d0);
            if (n > 1)
            {
                u = Vector.LoadUnsafe(ref w1, o);
                a1 = Vector.FusedMultiplyAdd(va, u, a1); b1 = Vector.FusedMultiplyAdd(vb, u, b1);
                c1 = Vector.FusedMultiplyAdd(vc, u, c1); d1 = Vector.FusedMultiplyAdd(vd, u, d1);
            }
            if (n > 2)
            {
                u = Vector.LoadUnsafe(ref w2, o);
                a2 = Vector.FusedMultiplyAdd(va, u, a2); b2 = Vector.FusedMultiplyAdd(vb, u, b2);
                c2 = Vector.FusedMultiplyAdd(vc, u, c2); d2 = Vector.FusedMultiplyAdd(vd, u, d2);
            }
            if (n > 3)
            {
                u = Vector.LoadUnsafe(ref w3, o);
                a3 = Vector.FusedMultiplyAdd(va, u, a3); b3 = Vector.FusedMultiplyAdd(vb, u, b3);
                c3 = Vector.FusedMultiplyAdd(vc, u, c3); d3 = Vector.FusedMultiplyAdd(vd, u, d3);
            }
            if (n > 4)
            {
                u = Vector.LoadUnsafe(ref w4, o);
                a4 = Vector.FusedMultiplyAdd(va, u, a4); b4 = Vector.FusedMultiplyAdd(vb, u, b4);
                c4 = Vector.FusedMultiplyAdd(vc, u, c4); d4 = Vector.FusedMultiplyAdd(vd, u, d4);
            }
        }
        // Reduce to scalars before any call: vector registers live across a call make the JIT
        // spill every accumulator inside the loop.
        Span<float> s = stackalloc float[RowTile * 5];
        s[0] = Vector.Sum(a0); s[5] = Vector.Sum(b0); s[10] = Vector.Sum(c0); s[15] = Vector.Sum(d0);
        if (n > 1) { s[1] = Vector.Sum(a1); s[6] = Vector.Sum(b1); s[11] = Vector.Sum(c1); s[16] = Vector.Sum(d1); }
        if (n > 2) { s[2] = Vector.Sum(a2); s[7] = Vector.Sum(b2); s[12] = Vector.Sum(c2); s[17] = Vector.Sum(d2); }
        if (n > 3) { s[3] = Vector.Sum(a3); s[8] = Vector.Sum(b3); s[13] = Vector.Sum(c3); s[18] = Vector.Sum(d3); }
        if (n > 4) { s[4] = Vector.Sum(a4); s[9] = Vector.Sum(b4); s[14] = Vector.Sum(c4); s[19] = Vector.Sum(d4); }
        for (int r = 0; r < RowTile; r++)
        {
            ref float xr = ref Unsafe.Add(ref x, r * f);
            ref float zr = ref Unsafe.Add(ref z, r * (nint)zStride);
            for (int k = 0; k < n; k++)
                Unsafe.Add(ref zr, k) = s[r * 5 + k] + CenteredDot(ref xr, ref mean, ref Unsafe.Add(ref w, k * f), j, features);
        }
    }

    /// <summary>Σ_{j0 ≤ j &lt; features} (x[j] − mean[j])·w[j]: a whole row, or a tile's scalar tail.
    /// The scalar tail is summed on its own and added last, as a tile adds it to its vector sums:
    /// a row's logits are then the same bits in a tile or not, so they do not depend on where the
    /// row falls in its block (a holder of some of the rows gives a whole run's predictions).</summary>
    private static float CenteredDot(ref float x, ref float mean, ref float w, int j0, int features)
    {
        int width = Vector<float>.Count, j = j0;
        Vector<float> acc = default;
        for (; j + width <= features; j += width)
            acc = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, (nuint)j) - Vector.LoadUnsafe(ref mean, (nuint)j),
                Vector.LoadUnsafe(ref w, (nuint)j), acc);
        float tail = 0;
        for (; j < features; j++) tail += (Unsafe.Add(ref x, j) - Unsafe.Add(ref mean, j)) * Unsafe.Add(ref w, j);
        return Vector.Sum(acc) + tail;
    }

    /// <summary>Four vectors of features × TC.Count classes: the residuals are broadcast row by
    /// row, x − mean is formed once per row and used for every class of the tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientTile<TC>(ref float x, int rows, int features, ref float mean, ref float r, int rStride, ref float g)
        where TC : struct, IClassCount
    {
        int n = TC.Count;
        nuint w1 = (nuint)Vector<float>.Count, w2 = 2 * w1, w3 = 3 * w1;
        var m0 = Vector.LoadUnsafe(ref mean); var m1 = Vector.LoadUnsafe(ref mean, w1);
        var m2 = Vector.LoadUnsafe(ref mean, w2); var m3 = Vector.LoadUnsafe(ref mean, w3);
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        Vector<float> c0 = default, c1 = default, c2 = default, c3 = default, d0 = default, d1 = default, d2 = default, d3 = default;
        Vector<float> e0 = default, e1 = default, e2 = default, e3 = default;
        for (int i = 0; i < rows; i++)
        {
            ref float row = ref Unsafe.Add(ref x, (nint)i * features);
            ref float ri = ref Unsafe.Add(ref r, (nint)i * rStride);
            var v0 = Vector.LoadUnsafe(ref row) - m0; var v1 = Vector.LoadUnsafe(ref row, w1) - m1;
            var v2 = Vector.LoadUnsafe(ref row, w2) - m2; var v3 = Vector.LoadUnsafe(ref row, w3) - m3;
            var q = new Vector<float>(ri);
            a0 = Vector.FusedMultiplyAdd(v0, q, a0); a1 = Vector.FusedMultiplyAdd(v1, q, a1);
            a2 = Vector.FusedMultiplyAdd(v2, q, a2); a3 = Vector.FusedMultiplyAdd(v3, q, a3);
            if (n > 1)
            {
                q = new Vector<float>(Unsafe.Add(ref ri, 1));
                b0 = Vector.FusedMultiplyAdd(v0, q, b0); b1 = Vector.FusedMultiplyAdd(v1, q, b1);
                b2 = Vector.FusedMultiplyAdd(v2, q, b2); b3 = Vector.FusedMultiplyAdd(v3, q, b3);
            }
            if (n > 2)
            {
                q = new Vector<float>(Unsafe.Add(ref ri, 2));
                c0 = Vector.FusedMultiplyAdd(v0, q, c0); c1 = Vector.FusedMultiplyAdd(v1, q, c1);
                c2 = Vector.FusedMultiplyAdd(v2, q, c2); c3 = Vector.FusedMultiplyAdd(v3, q, c3);
            }
            if (n > 3)
            {
                q = new Vector<float>(Unsafe.Add(ref ri, 3));
                d0 = Vector.FusedMultiplyAdd(v0, q, d0); d1 = Vector.FusedMultiplyAdd(v1, q, d1);
                d2 = Vector.FusedMultiplyAdd(v2, q, d2); d3 = Vector.FusedMultiplyAdd(v3, q, d3);
            }
            if (n > 4)
            {
                q = new Vector<float>(Unsafe.Add(ref ri, 4));
                e0 = Vector.FusedMultiplyAdd(v0, q, e0); e1 = Vector.FusedMultiplyAdd(v1, q, e1);
                e2 = Vector.FusedMultiplyAdd(v2, q, e2); e3 = Vector.FusedMultiplyAdd(v3, q, e3);
            }
        }
        nint f = features;
        AddRow(ref g, a0, a1, a2, a3);
        if (n > 1) AddRow(ref Unsafe.Add(ref g, f), b0, b1, b2, b3);
        if (n > 2) AddRow(ref Unsafe.Add(ref g, 2 * f), c0, c1, c2, c3);
        if (n > 3) AddRow(ref Unsafe.Add(ref g, 3 * f), d0, d1, d2, d3);
        if (n > 4) AddRow(ref Unsafe.Add(ref g, 4 * f), e0, e1, e2, e3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // a call here would make the JIT spill the accumulators in the loop
    private static void AddRow(ref float g, Vector<float> a, Vector<float> b, Vector<float> c, Vector<float> d)
    {
        nuint w1 = (nuint)Vector<float>.Count;
        (Vector.LoadUnsafe(ref g) + a).StoreUnsafe(ref g);
        (Vector.LoadUnsafe(ref g, w1) + b).StoreUnsafe(ref g, w1);
        (Vector.LoadUnsafe(ref g, 2 * w1) + c).StoreUnsafe(ref g, 2 * w1);
        (Vector.LoadUnsafe(ref g, 3 * w1) + d).StoreUnsafe(ref g, 3 * w1);
    }

    private static void Check(int xLength, int rows, int features, int meanLength, int classMatrixLength, int classes, int rowClassLength)
    {
        if (classes < 1) throw new ArgumentException($"{classes} classes");
        if ((long)rows * features > xLength || meanLength < features || (long)classes * features > classMatrixLength
            || (long)rows * classes > rowClassLength)
            throw new ArgumentException($"buffers too small for {rows} rows × {features} features × {classes} classes");
    }
}
