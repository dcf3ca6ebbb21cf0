using System.Numerics;

namespace NeuronHost.Kernels.Blas;

/// <summary>The fallback GEMM when OpenBLAS is missing: B is packed row-major (transposed if
/// needed) so the inner loop is a SIMD axpy over contiguous rows; rows of C in parallel.</summary>
internal static class ManagedGemm
{
    public static void Sgemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        // Pack op(B) as [k, n] contiguous so every update is a contiguous vector op.
        var packedB = new float[(long)k * n];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                packedB[(long)p * n + j] = transposeB ? b[j * ldb + p] : b[p * ldb + j];
        var packedA = new float[(long)m * k];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
                packedA[(long)i * k + p] = transposeA ? a[p * lda + i] : a[i * lda + p];

        var result = new float[(long)m * n];
        Parallel.For(0, m, i =>
        {
            var row = result.AsSpan((int)((long)i * n), n);
            for (int p = 0; p < k; p++)
            {
                float s = packedA[(long)i * k + p];
                if (s == 0f) continue;
                Axpy(s, packedB.AsSpan((int)((long)p * n), n), row);
            }
        });
        for (int i = 0; i < m; i++)
        {
            var dst = c.Slice(i * ldc, n);
            var src = result.AsSpan(i * n, n);
            for (int j = 0; j < n; j++) dst[j] = alpha * src[j] + (beta == 0f ? 0f : beta * dst[j]);
        }
    }

    private static void Axpy(float s, ReadOnlySpan<float> x, Span<float> y)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<float>(s);
            for (; j <= x.Length - Vector<float>.Count; j += Vector<float>.Count)
                (new Vector<float>(y[j..]) + vs * new Vector<float>(x[j..])).CopyTo(y[j..]);
        }
        for (; j < x.Length; j++) y[j] += s * x[j];
    }
}
