namespace NeuronHost.Sdk.Statistics;

/// <summary>Significance of a Pearson correlation r over n pairs. The null of the p-value is
/// ρ = 0 (no linear relation): t = r·√((n−2)/(1−r²)) has Student's t with n−2 degrees of
/// freedom (scipy.stats.pearsonr's test); the 95% interval is Fisher's z (atanh r ± 1.96/√(n−3)).</summary>
public static class CorrelationTest
{
    private const double Z95 = 1.959963984540054;

    /// <summary>Two-sided p-value of r against ρ = 0; NaN for n &lt; 3 or a non-finite r.</summary>
    public static double PValue(double r, int n)
    {
        if (n < 3 || !double.IsFinite(r)) return double.NaN;
        if (Math.Abs(r) >= 1) return 0;
        double t = Math.Abs(r) * Math.Sqrt((n - 2) / (1 - r * r));
        return Math.Min(1, 2 * (1 - SpecialFunctions.StudentTCdf(t, n - 2)));
    }

    /// <summary>Fisher's 95% interval of ρ; NaN bounds for n ≤ 3 or a non-finite r.</summary>
    public static (double Low95, double High95) Interval(double r, int n)
    {
        if (n <= 3 || !double.IsFinite(r)) return (double.NaN, double.NaN);
        if (Math.Abs(r) >= 1) return (r, r);
        double z = Math.Atanh(r), h = Z95 / Math.Sqrt(n - 3);
        return (Math.Tanh(z - h), Math.Tanh(z + h));
    }
}
