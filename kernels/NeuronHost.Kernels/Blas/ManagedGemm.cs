using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuronHost.Kernels.Blas;

/// <summary>The fallback SGEMM when OpenBLAS is missing: the classic Goto/BLIS blocking. op(B)
/// is packed in KC×NC blocks of NR-wide column panels (kept in L3/L2), op(A) in MC×KC blocks of
/// MR-tall row panels (L2), and a register-blocked MR×NR micro-kernel (8×32 with AVX-512, 6×16
/// with AVX2) accumulates with FMAs into registers, touching C once per KC step. Row blocks (or
/// column panels, when there are few rows) run in parallel.</summary>
internal static unsafe class ManagedGemm
{
    private const int KC = 256, MC = 120, NC = 3072;

    private static bool Wide => Vector512.IsHardwareAccelerated;
    private static int MR => Wide ? 8 : 6;
    private static int NR => Wide ? 32 : 16;

    public static void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c)
        {
            ScaleC(pc, m, n, ldc, beta);
            if (k == 0 || alpha == 0f) return;
            Run(transposeA, transposeB, m, n, k, alpha, (nint)pa, lda, (nint)pb, ldb, (nint)pc, ldc);
        }
    }

    private static void ScaleC(float* c, int m, int n, int ldc, float beta)
    {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();   // β = 0 ignores what C held, NaN included
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    private static void Run(bool ta, bool tb, int m, int n, int k, float alpha, nint a, int lda, nint b, int ldb, nint c, int ldc)
    {
        int mr = MR, nr = NR, threads = Environment.ProcessorCount;
        int ncMax = Math.Min(NC, RoundUp(n, nr));
        var packedB = ArrayPool<float>.Shared.Rent(KC * ncMax);
        try
        {
            fixed (float* bp = packedB)
            {
                nint bpp = (nint)bp;
                for (int jc = 0; jc < n; jc += NC)
                {
                    int nc = Math.Min(NC, n - jc);
                    int panels = (nc + nr - 1) / nr;
                    for (int pc = 0; pc < k; pc += KC)
                    {
                        int kc = Math.Min(KC, k - pc);
                        PackB(tb, (float*)b, ldb, pc, kc, jc, nc, bp, nr);
                        int icBlocks = (m + MC - 1) / MC;
                        if (icBlocks >= threads || threads == 1)
                        {
                            Parallel.For(0, icBlocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, blk =>
                            {
                                int ic = blk * MC, mc = Math.Min(MC, m - ic);
                                var packedA = ArrayPool<float>.Shared.Rent(MC * KC);
                                fixed (float* ap = packedA)
                                {
                                    PackA(ta, (float*)a, lda, ic, mc, pc, kc, ap, mr);
                                    Block((float*)bpp, ap, 0, panels, mc, nc, kc, (float*)c + (long)ic * ldc + jc, ldc, alpha, mr, nr);
                                }
                                ArrayPool<float>.Shared.Return(packedA);
                            });
                        }
                        else
                        {
                            // Few rows: share one packed A block and split the column panels.
                            var packedA = ArrayPool<float>.Shared.Rent(MC * KC);
                            fixed (float* ap = packedA)
                            {
                                nint app = (nint)ap;
                                for (int ic = 0; ic < m; ic += MC)
                                {
                                    int mc = Math.Min(MC, m - ic);
                                    PackA(ta, (float*)a, lda, ic, mc, pc, kc, ap, mr);
                                    int parts = Math.Min(threads, panels);
                                    Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                                        Block((float*)bpp, (float*)app, panels * t / parts, panels * (t + 1) / parts, mc, nc, kc,
                                            (float*)c + (long)ic * ldc + jc, ldc, alpha, mr, nr));
                                }
                            }
                            ArrayPool<float>.Shared.Return(packedA);
                        }
                    }
                }
            }
        }
        finally { ArrayPool<float>.Shared.Return(packedB); }
    }

    private static int RoundUp(int v, int m) => (v + m - 1) / m * m;

    /// <summary>op(B)[pc.., jc..] → panels of nr columns: panel s holds kc rows of nr values.</summary>
    private static void PackB(bool tb, float* b, int ldb, int pc, int kc, int jc, int nc, float* dst, int nr)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int w = Math.Min(nr, nc - j0);
            float* panel = dst + (long)(j0 / nr) * kc * nr;
            for (int p = 0; p < kc; p++)
            {
                float* d = panel + (long)p * nr;
                if (!tb)
                {
                    float* s = b + (long)(pc + p) * ldb + jc + j0;
                    for (int t = 0; t < w; t++) d[t] = s[t];
                }
                else
                {
                    float* s = b + (long)(jc + j0) * ldb + pc + p;
                    for (int t = 0; t < w; t++) d[t] = s[(long)t * ldb];
                }
                for (int t = w; t < nr; t++) d[t] = 0f;
            }
        }
    }

    /// <summary>op(A)[ic.., pc..] → panels of mr rows: panel q holds kc columns of mr values.</summary>
    private static void PackA(bool ta, float* a, int lda, int ic, int mc, int pc, int kc, float* dst, int mr)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int h = Math.Min(mr, mc - i0);
            float* panel = dst + (long)(i0 / mr) * kc * mr;
            if (ta)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* s = a + (long)(pc + p) * lda + ic + i0;
                    float* d = panel + (long)p * mr;
                    for (int r = 0; r < h; r++) d[r] = s[r];
                    for (int r = h; r < mr; r++) d[r] = 0f;
                }
            }
            else
            {
                for (int r = 0; r < mr; r++)
                {
                    if (r < h)
                    {
                        float* s = a + (long)(ic + i0 + r) * lda + pc;
                        for (int p = 0; p < kc; p++) panel[(long)p * mr + r] = s[p];
                    }
                    else for (int p = 0; p < kc; p++) panel[(long)p * mr + r] = 0f;
                }
            }
        }
    }

    /// <summary>C[mc, panels s0..s1) += α · packed A · packed B.</summary>
    private static void Block(float* bp, float* ap, int s0, int s1, int mc, int nc, int kc, float* c, int ldc, float alpha, int mr, int nr)
    {
        for (int s = s0; s < s1; s++)
        {
            int j0 = s * nr, w = Math.Min(nr, nc - j0);
            float* bPanel = bp + (long)s * kc * nr;
            for (int i0 = 0; i0 < mc; i0 += mr)
            {
                int h = Math.Min(mr, mc - i0);
                float* aPanel = ap + (long)(i0 / mr) * kc * mr;
                if (Wide) Micro8x32(kc, aPanel, bPanel, c + (long)i0 * ldc + j0, ldc, alpha, h, w);
                else Micro6x16(kc, aPanel, bPanel, c + (long)i0 * ldc + j0, ldc, alpha, h, w);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro8x32(int kc, float* a, float* b, float* c, int ldc, float alpha, int h, int w)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++, a += 8, b += 32)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
        }
        var al = Vector512.Create(alpha);
        if (h == 8 && w == 32)
        {
            Update(c, c00, c01, al); Update(c + ldc, c10, c11, al);
            Update(c + 2L * ldc, c20, c21, al); Update(c + 3L * ldc, c30, c31, al);
            Update(c + 4L * ldc, c40, c41, al); Update(c + 5L * ldc, c50, c51, al);
            Update(c + 6L * ldc, c60, c61, al); Update(c + 7L * ldc, c70, c71, al);
            return;
        }
        float* t = stackalloc float[8 * 32];
        c00.Store(t); c01.Store(t + 16); c10.Store(t + 32); c11.Store(t + 48);
        c20.Store(t + 64); c21.Store(t + 80); c30.Store(t + 96); c31.Store(t + 112);
        c40.Store(t + 128); c41.Store(t + 144); c50.Store(t + 160); c51.Store(t + 176);
        c60.Store(t + 192); c61.Store(t + 208); c70.Store(t + 224); c71.Store(t + 240);
        AddEdge(t, 32, c, ldc, alpha, h, w);

        static void Update(float* row, Vector512<float> v0, Vector512<float> v1, Vector512<float> al)
        {
            Vector512.Store(Vector512.FusedMultiplyAdd(al, v0, Vector512.Load(row)), row);
            Vector512.Store(Vector512.FusedMultiplyAdd(al, v1, Vector512.Load(row + 16)), row + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Micro6x16(int kc, float* a, float* b, float* c, int ldc, float alpha, int h, int w)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++, a += 6, b += 16)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }
        float* t = stackalloc float[6 * 16];
        c00.Store(t); c01.Store(t + 8); c10.Store(t + 16); c11.Store(t + 24); c20.Store(t + 32); c21.Store(t + 40);
        c30.Store(t + 48); c31.Store(t + 56); c40.Store(t + 64); c41.Store(t + 72); c50.Store(t + 80); c51.Store(t + 88);
        AddEdge(t, 16, c, ldc, alpha, h, w);
    }

    private static void AddEdge(float* t, int stride, float* c, int ldc, float alpha, int h, int w)
    {
        for (int r = 0; r < h; r++)
            for (int j = 0; j < w; j++)
                c[(long)r * ldc + j] += alpha * t[r * stride + j];
    }
}
