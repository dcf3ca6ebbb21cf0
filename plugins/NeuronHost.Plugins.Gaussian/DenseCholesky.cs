namespace NeuronHost.Plugins.Gaussian;

/// <summary>Small dense Cholesky (double, row-major lower factor) for the probe and the
/// from-scratch reference. The greedy selection does not use it: it grows its factors by a row.</summary>
public static class DenseCholesky
{
    /// <summary>Factorises a [n,n] in place into its lower factor; false if not positive definite.</summary>
    public static bool TryFactor(Span<double> a, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double s = a[j * n + j];
            for (int k = 0; k < j; k++) s -= a[j * n + k] * a[j * n + k];
            if (!(s > 0)) return false;
            double l = Math.Sqrt(s);
            a[j * n + j] = l;
            for (int i = j + 1; i < n; i++)
            {
                double t = a[i * n + j];
                for (int k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = t / l;
            }
            for (int k = j + 1; k < n; k++) a[j * n + k] = 0;
        }
        return true;
    }

    /// <summary>Factorises, adding jitter·mean(diag)·10^m to the diagonal until it succeeds (as
    /// Pitfalls lifts a non-PSD Σ*). Returns the jitter that was added.</summary>
    public static double FactorWithJitter(double[] a, int n)
    {
        var copy = (double[])a.Clone();
        if (TryFactor(a, n)) return 0;
        double meanDiag = 0;
        for (int i = 0; i < n; i++) meanDiag += copy[i * n + i];
        meanDiag = Math.Max(meanDiag / Math.Max(n, 1), 1e-12);
        for (double jitter = 1e-10 * meanDiag; ; jitter *= 10)
        {
            Array.Copy(copy, a, copy.Length);
            for (int i = 0; i < n; i++) a[i * n + i] += jitter;
            if (TryFactor(a, n)) return jitter;
            if (jitter > 1e6 * meanDiag) throw new InvalidOperationException("covariance is not positive definite even with jitter");
        }
    }

    /// <summary>Solves L·z = v in place (forward substitution).</summary>
    public static void ForwardSolve(ReadOnlySpan<double> l, int n, Span<double> v)
    {
        for (int i = 0; i < n; i++)
        {
            double s = v[i];
            for (int k = 0; k < i; k++) s -= l[i * n + k] * v[k];
            v[i] = s / l[i * n + i];
        }
    }

    public static double LogDet(ReadOnlySpan<double> l, int n)
    {
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.Log(l[i * n + i]);
        return 2 * s;
    }
}
