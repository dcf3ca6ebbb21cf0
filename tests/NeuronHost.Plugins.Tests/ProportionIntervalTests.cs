using System.Globalization;
using NeuronHost.Sdk.Statistics;
using NeuronHost.Tests.Common;

namespace NeuronHost.Plugins.Tests;

/// <summary>The Wilson interval the translation's flip rates carry, against scipy 1.10's
/// <c>binomtest(k, n).proportion_ci(method='wilson')</c>.</summary>
public sealed class ProportionIntervalTests
{
    [PythonModuleFact("scipy")]
    public void Wilson_interval_matches_scipy()
    {
        (int k, int n)[] cases = [(0, 398), (1, 28), (28, 28), (25, 28), (200, 398), (3, 10), (1, 1)];
        string list = "[" + string.Join(",", cases.Select(c => $"({c.k},{c.n})")) + "]";
        string script = $"""
            import scipy.stats as st
            for k, n in {list}:
                ci = st.binomtest(k, n).proportion_ci(confidence_level=0.95, method='wilson')
                print(repr(ci.low), repr(ci.high))
            """;
        var lines = PythonReference.RunOrThrow(script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < cases.Length; i++)
        {
            var expected = lines[i].Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var ours = ProportionInterval.Wilson(cases[i].k, cases[i].n);
            Assert.Equal(expected[0], ours.Low95, 1e-12);
            Assert.Equal(expected[1], ours.High95, 1e-12);
            Assert.Equal(cases[i].k / (double)cases[i].n, ours.Rate);
        }
        Assert.True(double.IsNaN(ProportionInterval.Wilson(0, 0).Rate));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProportionInterval.Wilson(3, 2));
    }
}
