namespace NeuronHost.Sdk.Statistics;

/// <summary>The seeds of a random baseline's draws and the test of one observed effect against
/// them. Draw d of a run with seed s uses seed s·1000 + d, so every draw is recorded and
/// repeatable, and the draws of two runs with neighbouring seeds do not overlap.</summary>
public static class BaselineDraws
{
    /// <summary>At least this many draws are needed before an interval or a draw test means anything.</summary>
    public const int Minimum = 10;

    public static ulong[] Seeds(int runSeed, int draws)
    {
        if (draws < 1) throw new ArgumentOutOfRangeException(nameof(draws), $"random draws must be at least 1, got {draws}");
        return Enumerable.Range(0, draws).Select(d => unchecked((ulong)runSeed * 1000UL + (ulong)d)).ToArray();
    }

    /// <summary>Two-sided p-value of "the observed value is one more draw of the random baseline":
    /// t = (x − mean) / (sd·√(1 + 1/n)) against Student's t with n − 1 degrees of freedom (the
    /// prediction interval of a normal sample). NaN with fewer than 2 draws or sd = 0 and x = mean.</summary>
    public static double PValueAgainstDraws(double observed, SampleSummary draws)
    {
        if (draws.N < 2 || !double.IsFinite(observed) || !double.IsFinite(draws.Sd)) return double.NaN;
        double scale = draws.Sd * Math.Sqrt(1 + 1.0 / draws.N);
        if (scale == 0) return observed == draws.Mean ? 1 : 0;
        double t = Math.Abs(observed - draws.Mean) / scale;
        return 2 * (1 - SpecialFunctions.StudentTCdf(t, draws.N - 1));
    }
}
