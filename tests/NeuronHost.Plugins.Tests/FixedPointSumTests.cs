using System.Globalization;
using NeuronHost.Plugins.Linear;

namespace NeuronHost.Plugins.Tests;

/// <summary>The order-free sums under the linear probe's gradient: single terms against their
/// closed forms, and a sum of 20,000 float terms over 18 orders of magnitude against Python's
/// math.fsum (the correctly rounded sum of the same doubles).</summary>
public class FixedPointSumTests
{
    private static readonly Int128 One = Int128.One << 64;

    [Fact]
    public void Terms_convert_to_multiples_of_two_to_the_minus_64_cut_toward_zero()
    {
        Assert.Equal(One, FixedPointSum.From(1.0));
        Assert.Equal(-(Int128)3 << 62, FixedPointSum.From(-0.75));
        Assert.Equal((Int128)1, FixedPointSum.From(Math.ScaleB(1.0, -64)));
        Assert.Equal((Int128)1, FixedPointSum.From(Math.ScaleB(3.0, -65)));     // 1.5 units → 1
        Assert.Equal((Int128)(-1), FixedPointSum.From(-Math.ScaleB(3.0, -65))); // −1.5 units → −1
        Assert.Equal(Int128.Zero, FixedPointSum.From(Math.ScaleB(1.0, -65)));
        Assert.Equal(Int128.Zero, FixedPointSum.From(double.Epsilon));
        Assert.Equal((Int128)0x12345 << 40, FixedPointSum.From((float)Math.ScaleB(0x12345, -24)));
        Assert.Equal(One * 1_000_000_007, FixedPointSum.From(1_000_000_007.0));
        Assert.InRange(1e-12 - FixedPointSum.ToDouble(FixedPointSum.From(1e-12)), 0, Math.ScaleB(1.0, -64));   // only the part below 2^−64 is cut
        Assert.Throws<OverflowException>(() => FixedPointSum.From(Math.ScaleB(1.0, 38)));
        Assert.Equal(One << 37, FixedPointSum.From(Math.ScaleB(1.0, 37)));
        Assert.Throws<ArithmeticException>(() => FixedPointSum.From(double.NaN));
        Assert.Throws<ArithmeticException>(() => FixedPointSum.From(float.NegativeInfinity));
    }

    [Fact]
    public void A_sum_of_float_terms_equals_pythons_fsum_to_the_bit_in_any_order_and_grouping()
    {
        Assert.True(Py.Has("math"), "python3 is required");
        var rng = new Random(5);
        var terms = new float[20_000];
        for (int i = 0; i < terms.Length; i++)
            terms[i] = (float)((rng.Next(2) == 0 ? -1 : 1) * Math.Pow(10, rng.NextDouble() * 18 - 11));   // 1e-11 … 1e7
        var sums = new Int128[1];
        foreach (var t in terms) FixedPointSum.Add(sums, [t]);
        // the same terms shuffled, in three groups summed apart and merged in another order
        var shuffled = terms.ToArray();
        rng.Shuffle(shuffled);
        var groups = new Int128[3][];
        for (int g = 0; g < 3; g++)
        {
            groups[g] = new Int128[1];
            for (int i = g; i < shuffled.Length; i += 3) FixedPointSum.Add(groups[g], [shuffled[i]]);
        }
        var merged = new Int128[1];
        foreach (int g in new[] { 2, 0, 1 }) FixedPointSum.Merge(merged, groups[g]);
        Assert.Equal(sums[0], merged[0]);

        string dir = TestData.TempDir("fsum");
        try
        {
            File.WriteAllLines(Path.Combine(dir, "terms.txt"), terms.Select(t => ((double)t).ToString("R", CultureInfo.InvariantCulture)));
            string script = "import math\nprint(repr(math.fsum(float(l) for l in open('terms.txt'))))\n";
            double fsum = double.Parse(Py.Run(script, dir).Trim(), CultureInfo.InvariantCulture);
            double ours = FixedPointSum.ToDouble(sums[0]);
            // a naive double sum in index order, to show the test can tell the two apart
            double naive = 0;
            foreach (var t in terms) naive += t;
            Assert.Equal(BitConverter.DoubleToInt64Bits(fsum), BitConverter.DoubleToInt64Bits(ours));
            Assert.NotEqual(BitConverter.DoubleToInt64Bits(fsum), BitConverter.DoubleToInt64Bits(naive));
        }
        finally { Directory.Delete(dir, true); }
    }
}
