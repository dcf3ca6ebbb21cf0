namespace NeuronHost.Kernels.OpenCl;

public sealed partial class OpenClKernels
{
    /// <summary>Row-major SGEMM on the device with the tiled kernel (operands uploaded whole).</summary>
    public void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        using var serial = Serialize();
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"negative GEMM size {m}×{n}×{k}");
        Check("A", transposeA ? k : m, transposeA ? m : k, a.Length, lda);
        Check("B", transposeB ? n : k, transposeB ? k : n, b.Length, ldb);
        Check("C", m, n, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == 0) row.Clear(); else for (int j = 0; j < n; j++) row[j] *= beta;
            }
            return;
        }
        long aLen = Extent(transposeA ? k : m, transposeA ? m : k, lda), bLen = Extent(transposeB ? n : k, transposeB ? k : n, ldb);
        long cLen = Extent(m, n, ldc);
        string options = (transposeA ? "-DTRANS_A " : "") + (transposeB ? "-DTRANS_B" : "");
        using var ab = ctx.Buffer<float>(a[..(int)aLen], "sgemm A");
        using var bb = ctx.Buffer<float>(b[..(int)bLen], "sgemm B");
        using var cb = ctx.Buffer<float>(c[..(int)cLen], "sgemm C", ClApi.MemReadWrite);
        using var unused = ctx.Buffer(4, "no means");
        using var kernel = Kernel("gemm.cl", "gemm_tiled", options.Trim());
        kernel.Arg(0, m).Arg(1, n).Arg(2, k).Arg(3, alpha).Arg(4, ab).Arg(5, Math.Max(lda, 1)).Arg(6, 0)
            .Arg(7, bb).Arg(8, Math.Max(ldb, 1)).Arg(9, 0).Arg(10, beta).Arg(11, cb).Arg(12, Math.Max(ldc, 1))
            .Arg(13, unused).Arg(14, unused);
        Track(kernel.Launch(ctx.ComputeQueue, [(long)(n + GemmTile - 1) / GemmTile * GemmItems, (long)(m + GemmTile - 1) / GemmTile * GemmItems],
            [GemmItems, GemmItems])).Release();
        ctx.Read<float>(cb, c[..(int)cLen]);

        static long Extent(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        static void Check(string name, int rows, int cols, int length, int ld)
        {
            if (rows == 0 || cols == 0) return;
            if (ld < cols) throw new ArgumentException($"GEMM {name}: row stride {ld} < {cols} columns");
            if ((long)(rows - 1) * ld + cols > length)
                throw new ArgumentException($"GEMM {name}: {rows}×{cols} with stride {ld} needs more than {length} values");
        }
    }
}
