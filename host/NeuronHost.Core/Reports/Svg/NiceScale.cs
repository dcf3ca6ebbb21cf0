namespace NeuronHost.Core.Reports.Svg;

/// <summary>A linear axis range rounded outward to "nice" numbers (1, 2, 2.5, 5 × 10ⁿ), with
/// its tick values, so axes read like a paper's figure.</summary>
public sealed class NiceScale
{
    public NiceScale(double min, double max, int maxTicks = 6, bool includeZero = false)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) { min = 0; max = 1; }
        if (includeZero) { min = Math.Min(min, 0); max = Math.Max(max, 0); }
        if (max < min) (min, max) = (max, min);
        if (max - min < 1e-12)
        {
            double pad = Math.Abs(min) > 1e-12 ? Math.Abs(min) * 0.1 : 1;
            min -= pad; max += pad;
        }
        double range = NiceNumber(max - min, round: false);
        Step = NiceNumber(range / Math.Max(1, maxTicks - 1), round: true);
        Min = Math.Floor(min / Step) * Step;
        Max = Math.Ceiling(max / Step) * Step;
        var ticks = new List<double>();
        for (double t = Min; t <= Max + Step * 0.5; t += Step) ticks.Add(Math.Abs(t) < Step * 1e-9 ? 0 : t);
        Ticks = ticks;
    }

    public double Min { get; }
    public double Max { get; }
    public double Step { get; }
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>Tick label with only the decimals the step needs.</summary>
    public string Format(double value)
    {
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(Step) + 1e-9));
        if (Step * Math.Pow(10, decimals) % 1 > 1e-6) decimals++; // 2.5-steps need one more
        return value.ToString("F" + Math.Min(decimals, 6), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Heckbert's nice number: 1, 2, 5 (or 2.5 when rounding) × 10ⁿ.</summary>
    public static double NiceNumber(double x, bool round)
    {
        if (x <= 0) return 1;
        double exp = Math.Floor(Math.Log10(x));
        double f = x / Math.Pow(10, exp);
        double nice = round
            ? f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10
            : f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * Math.Pow(10, exp);
    }
}
