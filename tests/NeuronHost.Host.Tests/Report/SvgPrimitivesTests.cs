using NeuronHost.Core.Reports;
using NeuronHost.Core.Reports.Svg;

namespace NeuronHost.Host.Tests.Report;

public sealed class SvgPrimitivesTests
{
    [Fact]
    public void NiceScaleForAccuraciesIsTenthsOrFifths()
    {
        var s = new NiceScale(0, 1, 6);
        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0], s.Ticks.Select(t => Math.Round(t, 9)).ToArray());
        Assert.Equal("0.4", s.Format(0.4));
    }

    [Theory]
    [InlineData(1, 150, 7)]
    [InlineData(-0.013, 0.0271, 6)]
    [InlineData(3, 3, 5)]
    [InlineData(1e-5, 3.3e-4, 6)]
    public void NiceScaleCoversDataWithRoundSteps(double min, double max, int maxTicks)
    {
        var s = new NiceScale(min, max, maxTicks);
        Assert.True(s.Min <= min && s.Max >= max);
        Assert.True(s.Ticks.Count <= maxTicks + 2);
        double mantissa = s.Step / Math.Pow(10, Math.Floor(Math.Log10(s.Step)));
        Assert.Contains(Math.Round(mantissa, 6), new[] { 1, 2, 2.5, 5, 10 });
        // Distinct labels (enough decimals).
        Assert.Equal(s.Ticks.Count, s.Ticks.Select(s.Format).Distinct().Count());
    }

    [Fact]
    public void FitRecoversAKnownLine()
    {
        var pts = Enumerable.Range(0, 10).Select(i => ((double)i, 2.0 * i + 1)).ToList();
        var fit = ScatterChart.Fit(pts)!.Value;
        Assert.Equal(2, fit.Slope, 12);
        Assert.Equal(1, fit.Intercept, 12);
        Assert.Equal(1, fit.R, 12);
        // r of (1,2),(2,1),(3,3): cov = 0.5·… → r = 0.5 by hand.
        Assert.Equal(0.5, ScatterChart.Fit([(1, 2), (2, 1), (3, 3)])!.Value.R, 12);
    }

    [Fact]
    public void CsvQuotesAndKeepsRoundTripPrecision()
    {
        string csv = CsvWriter.Write(["a", "b,c"], [new object?[] { "x\"y", 0.1 + 0.2 }, new object?[] { null, true }]);
        Assert.Equal("a,\"b,c\"\n\"x\"\"y\",0.30000000000000004\n,true\n", csv);
    }

    [Fact]
    public void SvgEscapesText()
    {
        var svg = new SvgBuilder(10, 10).Text(0, 0, "a<b & \"c\"").ToString();
        Assert.Contains("a&lt;b &amp; &quot;c&quot;", svg);
        Assert.EndsWith("</svg>", svg);
    }
}
