using NeuronHost.Kernels.Blas;

namespace NeuronHost.Kernels.Tests;

/// <summary>Both SGEMM implementations (OpenBLAS and the managed fallback) against the float64
/// product, every transpose combination, strides wider than the matrices, sizes that are not
/// multiples of any block or vector width.</summary>
public sealed class GemmTests
{
    public static TheoryData<bool, bool, bool> Cases
    {
        get
        {
            var data = new TheoryData<bool, bool, bool>();
            foreach (bool managed in new[] { false, true })
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        data.Add(managed, ta, tb);
            return data;
        }
    }

    private static readonly (int M, int N, int K)[] Sizes =
        [(1, 1, 1), (37, 29, 53), (70, 130, 3), (5, 200, 300), (97, 65, 257), (130, 17, 1), (3, 3100, 5), (250, 40, 600)];

    [Theory, MemberData(nameof(Cases))]
    public void Sgemm_matches_the_float64_product(bool managed, bool ta, bool tb)
    {
        // With NEURONHOST_NO_OPENBLAS=1 the "OpenBLAS" cases check Gemm.Sgemm's fallback route instead.
        if (!managed && !Gemm.UsesOpenBlas && Environment.GetEnvironmentVariable("NEURONHOST_NO_OPENBLAS") != "1")
            Assert.Fail($"OpenBLAS (libopenblas.so.0) is not loadable here: {Gemm.Implementation}");
        foreach (var (m, n, k) in Sizes)
            foreach (var (alpha, beta) in new[] { (1f, 0f), (0.75f, 0.5f), (-2f, 1f) })
            {
                int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
                var rng = new Random(m * n + k);
                var a = Enumerable.Range(0, (ta ? k : m) * lda).Select(_ => (float)TestData.Gaussian(rng)).ToArray();
                var b = Enumerable.Range(0, (tb ? n : k) * ldb).Select(_ => (float)TestData.Gaussian(rng)).ToArray();
                var c = Enumerable.Range(0, m * ldc).Select(_ => (float)TestData.Gaussian(rng)).ToArray();
                var padding = c.Select((v, i) => (i, v)).Where(e => e.i % ldc >= n).ToArray();
                var expected = NaiveReference.Gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
                if (managed) ManagedGemm.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
                else Gemm.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
                for (int i = 0; i < m; i++)
                    Close.All(expected.AsSpan(i * n, n), c.AsSpan(i * ldc, n), 1e-5 * Math.Sqrt(k), $"C row {i} ({m}×{n}×{k}, ta={ta}, tb={tb}, α={alpha}, β={beta})");
                foreach (var (i, v) in padding) Assert.Equal(v, c[i]);   // columns beyond n untouched
            }
    }

    [Fact]
    public void Beta_zero_ignores_NaN_in_C()
    {
        float[] a = [1, 2], b = [3, 4], c = [float.NaN];
        ManagedGemm.Sgemm(false, false, 1, 1, 2, 1f, a, 2, b, 1, 0f, c, 1);
        Assert.Equal(11f, c[0]);
    }

    [Fact]
    public void Bad_shapes_are_reported()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 3, 3, 1f, new float[8], 3, new float[9], 3, 0f, new float[9], 3));
        Assert.Contains("A", e.Message);
    }
}
