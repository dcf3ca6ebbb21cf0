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
/// Class dimensions are padded to a multiple of <see cref="ClassTile"/> (padded weight rows and
/// residual columns must be zero). Single-threaded: callers parallelise over row blocks, so each
/// core keeps its own block of X in its own cache between the two products.</summary>
internal static class SoftmaxPassKernels
{
    /// <summary>Classes per register tile; class dimensions are padded to a multiple of it.</summary>
    public const int ClassTile = 4;
    private const int RowTile = 4;
    private const int FeatureVectors = 4;   // backward tile: 4 vectors of features × 4 classes = 16 accumulators

    public static int PaddedClasses(int classes) => (classes + ClassTile - 1) / ClassTile * ClassTile;

    /// <summary>z[i, c] = Σ_j (x[i, j] − mean[j]) · wT[c, j] for the block's rows; wT is
    /// [paddedClasses, features], z is [rows, paddedClasses] (overwritten).</summary>
    public static void Logits(ReadOnlySpan<float> x, int rows, int features, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> wT, int paddedClasses, Span<float> z)
    {
        Check(x.Length, rows, features, mean.Length, wT.Length, paddedClasses, z.Length);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float m0 = ref MemoryMarshal.GetReference(mean);
        ref float w0 = ref MemoryMarshal.GetReference(wT);
        ref float z0 = ref MemoryMarshal.GetReference(z);
        int i = 0;
        for (; i + RowTile <= rows; i += RowTile)
            for (int c = 0; c < paddedClasses; c += ClassTile)
                LogitsTile4x4(ref Unsafe.Add(ref x0, (nint)i * features), features, ref m0,
                    ref Unsafe.Add(ref w0, (nint)c * features), ref Unsafe.Add(ref z0, (nint)i * paddedClasses + c), paddedClasses);
        for (; i < rows; i++)
            for (int c = 0; c < paddedClasses; c++)
                Unsafe.Add(ref z0, (nint)i * paddedClasses + c) =
                    CenteredDot(ref Unsafe.Add(ref x0, (nint)i * features), ref m0, ref Unsafe.Add(ref w0, (nint)c * features), features);
    }

    /// <summary>gT[c, j] += Σ_i r[i, c] · (x[i, j] − mean[j]) over the block's rows; r is
    /// [rows, paddedClasses], gT is [paddedClasses, features].</summary>
    public static void AccumulateGradient(ReadOnlySpan<float> x, int rows, int features, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> r, int paddedClasses, Span<float> gT)
    {
        Check(x.Length, rows, features, mean.Length, gT.Length, paddedClasses, r.Length);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float m0 = ref MemoryMarshal.GetReference(mean);
        ref float r0 = ref MemoryMarshal.GetReference(r);
        ref float g0 = ref MemoryMarshal.GetReference(gT);
        int width = Vector<float>.Count, j = 0;
        for (; j + FeatureVectors * width <= features; j += FeatureVectors * width)
            for (int c = 0; c < paddedClasses; c += ClassTile)
                GradientTile4x4(ref Unsafe.Add(ref x0, j), rows, features, ref Unsafe.Add(ref m0, j),
                    ref Unsafe.Add(ref r0, c), paddedClasses, ref Unsafe.Add(ref g0, (nint)c * features + j));
        for (; j < features; j++)   // the last features % (4·width) columns, scalar
        {
            float m = Unsafe.Add(ref m0, j);
            for (int c = 0; c < paddedClasses; c++)
            {
                float acc = 0;
                for (int i = 0; i < rows; i++)
                    acc += Unsafe.Add(ref r0, (nint)i * paddedClasses + c) * (Unsafe.Add(ref x0, (nint)i * features + j) - m);
                Unsafe.Add(ref g0, (nint)c * features + j) += acc;
            }
        }
    }

    /// <summary>Four rows × four classes: 16 accumulators over the features, reduced at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LogitsTile4x4(ref float x, int features, ref float mean, ref float w, ref float z, int zStride)
    {
        nint f = features;
        ref float xa = ref x; ref float xb = ref Unsafe.Add(ref x, f);
        ref float xc = ref Unsafe.Add(ref x, 2 * f); ref float xd = ref Unsafe.Add(ref x, 3 * f);
        ref float wa = ref w; ref float wb = ref Unsafe.Add(ref w, f);
        ref float wc = ref Unsafe.Add(ref w, 2 * f); ref float wd = ref Unsafe.Add(ref w, 3 * f);
        Vector<float> aa = default, ab = default, ac = default, ad = default, ba = default, bb = default, bc = default, bd = default;
        Vector<float> ca = default, cb = default, cc = default, cd = default, da = default, db = default, dc = default, dd = default;
        int width = Vector<float>.Count, j = 0;
        for (; j + width <= features; j += width)
        {
            nuint o = (nuint)j;
            var m = Vector.LoadUnsafe(ref mean, o);
            var va = Vector.LoadUnsafe(ref xa, o) - m; var vb = Vector.LoadUnsafe(ref xb, o) - m;
            var vc = Vector.LoadUnsafe(ref xc, o) - m; var vd = Vector.LoadUnsafe(ref xd, o) - m;
            var ua = Vector.LoadUnsafe(ref wa, o); var ub = Vector.LoadUnsafe(ref wb, o);
            var uc = Vector.LoadUnsafe(ref wc, o); var ud = Vector.LoadUnsafe(ref wd, o);
            aa = Vector.FusedMultiplyAdd(va, ua, aa); ab = Vector.FusedMultiplyAdd(va, ub, ab);
            ac = Vector.FusedMultiplyAdd(va, uc, ac); ad = Vector.FusedMultiplyAdd(va, ud, ad);
            ba = Vector.FusedMultiplyAdd(vb, ua, ba); bb = Vector.FusedMultiplyAdd(vb, ub, bb);
            bc = Vector.FusedMultiplyAdd(vb, uc, bc); bd = Vector.FusedMultiplyAdd(vb, ud, bd);
            ca = Vector.FusedMultiplyAdd(vc, ua, ca); cb = Vector.FusedMultiplyAdd(vc, ub, cb);
            cc = Vector.FusedMultiplyAdd(vc, uc, cc); cd = Vector.FusedMultiplyAdd(vc, ud, cd);
            da = Vector.FusedMultiplyAdd(vd, ua, da); db = Vector.FusedMultiplyAdd(vd, ub, db);
            dc = Vector.FusedMultiplyAdd(vd, uc, dc); dd = Vector.FusedMultiplyAdd(vd, ud, dd);
        }
        // Reduce to scalars before any call: live vector registers across a call make the JIT
        // spill all 16 accumulators inside the loop.
        float saa = Vector.Sum(aa), sab = Vector.Sum(ab), sac = Vector.Sum(ac), sad = Vector.Sum(ad);
        float sba = Vector.Sum(ba), sbb = Vector.Sum(bb), sbc = Vector.Sum(bc), sbd = Vector.Sum(bd);
        float sca = Vector.Sum(ca), scb = Vector.Sum(cb), scc = Vector.Sum(cc), scd = Vector.Sum(cd);
        float sda = Vector.Sum(da), sdb = Vector.Sum(db), sdc = Vector.Sum(dc), sdd = Vector.Sum(dd);
        if (j < features)   // the last features % width columns
        {
            saa += TailDot(ref xa, ref mean, ref wa, j, features); sab += TailDot(ref xa, ref mean, ref wb, j, features);
            sac += TailDot(ref xa, ref mean, ref wc, j, features); sad += TailDot(ref xa, ref mean, ref wd, j, features);
            sba += TailDot(ref xb, ref mean, ref wa, j, features); sbb += TailDot(ref xb, ref mean, ref wb, j, features);
            sbc += TailDot(ref xb, ref mean, ref wc, j, features); sbd += TailDot(ref xb, ref mean, ref wd, j, features);
            sca += TailDot(ref xc, ref mean, ref wa, j, features); scb += TailDot(ref xc, ref mean, ref wb, j, features);
            scc += TailDot(ref xc, ref mean, ref wc, j, features); scd += TailDot(ref xc, ref mean, ref wd, j, features);
            sda += TailDot(ref xd, ref mean, ref wa, j, features); sdb += TailDot(ref xd, ref mean, ref wb, j, features);
            sdc += TailDot(ref xd, ref mean, ref wc, j, features); sdd += TailDot(ref xd, ref mean, ref wd, j, features);
        }
        nint s = zStride;
        z = saa; Unsafe.Add(ref z, 1) = sab; Unsafe.Add(ref z, 2) = sac; Unsafe.Add(ref z, 3) = sad;
        ref float z1 = ref Unsafe.Add(ref z, s);
        z1 = sba; Unsafe.Add(ref z1, 1) = sbb; Unsafe.Add(ref z1, 2) = sbc; Unsafe.Add(ref z1, 3) = sbd;
        ref float z2 = ref Unsafe.Add(ref z, 2 * s);
        z2 = sca; Unsafe.Add(ref z2, 1) = scb; Unsafe.Add(ref z2, 2) = scc; Unsafe.Add(ref z2, 3) = scd;
        ref float z3 = ref Unsafe.Add(ref z, 3 * s);
        z3 = sda; Unsafe.Add(ref z3, 1) = sdb; Unsafe.Add(ref z3, 2) = sdc; Unsafe.Add(ref z3, 3) = sdd;
    }

    private static float TailDot(ref float x, ref float mean, ref float w, int j0, int features)
    {
        float s = 0;
        for (int j = j0; j < features; j++) s += (Unsafe.Add(ref x, j) - Unsafe.Add(ref mean, j)) * Unsafe.Add(ref w, j);
        return s;
    }

    private static float CenteredDot(ref float x, ref float mean, ref float w, int features)
    {
        int width = Vector<float>.Count, j = 0;
        Vector<float> acc = default;
        for (; j + width <= features; j += width)
            acc = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, (nuint)j) - Vector.LoadUnsafe(ref mean, (nuint)j),
                Vector.LoadUnsafe(ref w, (nuint)j), acc);
        float s = Vector.Sum(acc);
        for (; j < features; j++) s += (Unsafe.Add(ref x, j) - Unsafe.Add(ref mean, j)) * Unsafe.Add(ref w, j);
        return s;
    }

    /// <summary>Four vectors of features × four classes: the residuals are broadcast row by row,
    /// x − mean is formed once per row and used for all four classes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientTile4x4(ref float x, int rows, int features, ref float mean, ref float r, int rStride, ref float g)
    {
        int width = Vector<float>.Count;
        nuint w1 = (nuint)width, w2 = 2 * w1, w3 = 3 * w1;
        var m0 = Vector.LoadUnsafe(ref mean); var m1 = Vector.LoadUnsafe(ref mean, w1);
        var m2 = Vector.LoadUnsafe(ref mean, w2); var m3 = Vector.LoadUnsafe(ref mean, w3);
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        Vector<float> c0 = default, c1 = default, c2 = default, c3 = default, d0 = default, d1 = default, d2 = default, d3 = default;
        for (int i = 0; i < rows; i++)
        {
            ref float row = ref Unsafe.Add(ref x, (nint)i * features);
            ref float ri = ref Unsafe.Add(ref r, (nint)i * rStride);
            var v0 = Vector.LoadUnsafe(ref row) - m0; var v1 = Vector.LoadUnsafe(ref row, w1) - m1;
            var v2 = Vector.LoadUnsafe(ref row, w2) - m2; var v3 = Vector.LoadUnsafe(ref row, w3) - m3;
            var ra = new Vector<float>(ri); var rb = new Vector<float>(Unsafe.Add(ref ri, 1));
            var rc = new Vector<float>(Unsafe.Add(ref ri, 2)); var rd = new Vector<float>(Unsafe.Add(ref ri, 3));
            a0 = Vector.FusedMultiplyAdd(v0, ra, a0); a1 = Vector.FusedMultiplyAdd(v1, ra, a1);
            a2 = Vector.FusedMultiplyAdd(v2, ra, a2); a3 = Vector.FusedMultiplyAdd(v3, ra, a3);
            b0 = Vector.FusedMultiplyAdd(v0, rb, b0); b1 = Vector.FusedMultiplyAdd(v1, rb, b1);
            b2 = Vector.FusedMultiplyAdd(v2, rb, b2); b3 = Vector.FusedMultiplyAdd(v3, rb, b3);
            c0 = Vector.FusedMultiplyAdd(v0, rc, c0); c1 = Vector.FusedMultiplyAdd(v1, rc, c1);
            c2 = Vector.FusedMultiplyAdd(v2, rc, c2); c3 = Vector.FusedMultiplyAdd(v3, rc, c3);
            d0 = Vector.FusedMultiplyAdd(v0, rd, d0); d1 = Vector.FusedMultiplyAdd(v1, rd, d1);
            d2 = Vector.FusedMultiplyAdd(v2, rd, d2); d3 = Vector.FusedMultiplyAdd(v3, rd, d3);
        }
        nint f = features;
        AddRow(ref g, a0, a1, a2, a3);
        AddRow(ref Unsafe.Add(ref g, f), b0, b1, b2, b3);
        AddRow(ref Unsafe.Add(ref g, 2 * f), c0, c1, c2, c3);
        AddRow(ref Unsafe.Add(ref g, 3 * f), d0, d1, d2, d3);
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

    private static void Check(int xLength, int rows, int features, int meanLength, int classMatrixLength, int paddedClasses, int rowClassLength)
    {
        if (paddedClasses % ClassTile != 0) throw new ArgumentException($"class dimension {paddedClasses} is not a multiple of {ClassTile}");
        if ((long)rows * features > xLength || meanLength < features || (long)paddedClasses * features > classMatrixLength
            || (long)rows * paddedClasses > rowClassLength)
            throw new ArgumentException($"buffers too small for {rows} rows × {features} features × {paddedClasses} classes");
    }
}
