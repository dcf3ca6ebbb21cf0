namespace NeuronHost.Kernels.Tests;

/// <summary>Element-wise comparisons with |actual − expected| ≤ tol·(1 + |expected|), NaN
/// matching NaN, naming the first index that differs.</summary>
public static class Close
{
    public static void All(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (!(Math.Abs(a - e) <= tol * (1 + Math.Abs(e))))
                Assert.Fail($"{what}[{i}]: {a:R}, expected {e:R} (tolerance {tol})");
        }
    }

    public static void All(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        var e = new double[expected.Length];
        var a = new double[actual.Length];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        for (int i = 0; i < a.Length; i++) a[i] = actual[i];
        All(e, a, tol, what);
    }

    public static void All(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        var a = new double[actual.Length];
        for (int i = 0; i < a.Length; i++) a[i] = actual[i];
        All(expected, a, tol, what);
    }
}
