namespace NeuronHost.Plugins.Interventions.Common;

internal static class Statistics
{
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (n < 2) return double.NaN;
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Slope of the least-squares line through the origin: Σxy / Σx².</summary>
    public static double SlopeThroughOrigin(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++) { sxy += x[i] * y[i]; sxx += x[i] * x[i]; }
        return sxy / sxx;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
