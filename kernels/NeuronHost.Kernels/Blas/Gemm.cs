namespace NeuronHost.Kernels.Blas;

/// <summary>Single-precision matrix multiply for the whole project: OpenBLAS when
/// libopenblas.so.0 is installed, otherwise the managed SIMD fallback. Row-major:
/// C[m,n] ← α·op(A)[m,k]·op(B)[k,n] + β·C, with lda/ldb/ldc the row strides.</summary>
public static unsafe class Gemm
{
    /// <summary>Which implementation runs: "OpenBLAS (…)" or "managed SIMD".</summary>
    public static string Implementation => OpenBlasNative.IsAvailable ? OpenBlasNative.Describe()
        : Environment.GetEnvironmentVariable("NEURONHOST_NO_OPENBLAS") == "1" ? "managed SIMD (NEURONHOST_NO_OPENBLAS=1)"
        : "managed SIMD (OpenBLAS not found)";

    public static bool UsesOpenBlas => OpenBlasNative.IsAvailable;

    /// <summary>Limits OpenBLAS to <paramref name="threads"/> threads (its own pool ignores .NET's
    /// thread settings); a no-op on the managed fallback. Returns the count OpenBLAS reports after.</summary>
    public static int SetThreads(int threads)
    {
        if (!OpenBlasNative.IsAvailable) return threads;
        OpenBlasNative.openblas_set_num_threads(Math.Max(1, threads));
        return OpenBlasNative.openblas_get_num_threads();
    }

    public static void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (OpenBlasNative.IsAvailable)
        {
            fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
                OpenBlasNative.cblas_sgemm(OpenBlasNative.RowMajor,
                    transposeA ? OpenBlasNative.Trans : OpenBlasNative.NoTrans,
                    transposeB ? OpenBlasNative.Trans : OpenBlasNative.NoTrans,
                    m, n, k, alpha, pa, Math.Max(lda, 1), pb, Math.Max(ldb, 1), beta, pc, Math.Max(ldc, 1));
            return;
        }
        ManagedGemm.Sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static void Validate(bool ta, bool tb, int m, int n, int k, int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException($"negative GEMM size {m}×{n}×{k}");
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        Check("A", aRows, aCols, aLen, lda);
        Check("B", bRows, bCols, bLen, ldb);
        Check("C", m, n, cLen, ldc);

        static void Check(string name, int rows, int cols, int length, int ld)
        {
            if (rows == 0 || cols == 0) return;
            if (ld < cols) throw new ArgumentException($"GEMM {name}: row stride {ld} < {cols} columns");
            if ((long)(rows - 1) * ld + cols > length)
                throw new ArgumentException($"GEMM {name}: {rows}×{cols} with stride {ld} needs more than {length} values");
        }
    }
}
