namespace NeuronHost.Plugins.Linear;

/// <summary>Sums whose bits do not depend on the order or grouping of their terms. Every term is
/// cut (toward zero) to a multiple of 2^−64 and added as a 128-bit integer, and integer addition
/// is associative: the probe's gradient is then the same whether its rows were summed by 1 core
/// or 64, on one machine or as per-shard partial sums merged on a cluster. A double of magnitude
/// ≥ 2^−11 converts without loss (a float down to 2^−40 ≈ 9e−13); smaller terms lose only their
/// part below 2^−64 ≈ 5.4e−20. Terms of magnitude 2^38 ≈ 2.7e11 and up are refused, which leaves
/// the sum room for 2^24 of the largest.</summary>
internal static class FixedPointSum
{
    public const int FractionBits = 64;
    private const int DoubleBias = 1075;        // exponent bias + 52 mantissa bits
    private const int MaxShift = 102 - 53;   // a term stays below 2^102: 2^24 of them fit in 127 bits
    private static readonly double Unit = Math.ScaleB(1.0, -FractionBits);

    /// <summary>v as a multiple of 2^−64, cut toward zero.</summary>
    public static Int128 From(double v)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        int exponent = (int)((bits >> 52) & 0x7FF);
        if (exponent == 0) return Int128.Zero;   // zero or subnormal: below 2^−1022
        if (exponent == 0x7FF) throw new ArithmeticException($"a non-finite term ({v}) in an exact sum");
        long mantissa = (bits & 0xF_FFFF_FFFF_FFFF) | (1L << 52);
        int shift = exponent - DoubleBias + FractionBits;
        if (shift > MaxShift) throw new OverflowException($"a term of magnitude {Math.Abs(v):g3} is too large for an exact sum (limit 2^38)");
        Int128 magnitude = shift >= 0 ? (Int128)mantissa << shift : shift > -53 ? mantissa >> -shift : 0;
        return bits < 0 ? -magnitude : magnitude;
    }

    /// <summary>The sum as the nearest double.</summary>
    public static double ToDouble(Int128 sum) => (double)sum * Unit;

    /// <summary>sums[k] += From(terms[k]) for every k. The hot path of the probe's passes (once per
    /// segment per gradient entry), so floats are decoded here directly: a term below 1 in
    /// magnitude fits a long in units of 2^−64 and needs no 128-bit shift.</summary>
    public static void Add(Span<Int128> sums, ReadOnlySpan<float> terms)
    {
        if (sums.Length != terms.Length) throw new ArgumentException($"{terms.Length} terms for {sums.Length} sums");
        for (int k = 0; k < terms.Length; k++)
        {
            int bits = BitConverter.SingleToInt32Bits(terms[k]);
            int exponent = (bits >> 23) & 0xFF;
            if (exponent == 0) continue;                      // zero or subnormal: below 2^−126
            int shift = exponent - 86;                        // m·2^(e−150) in units of 2^−64
            if (shift > 39) { sums[k] += From(terms[k]); continue; }   // |term| ≥ 1, or not finite
            long mantissa = (bits & 0x7F_FFFF) | 0x80_0000;
            long magnitude = shift >= 0 ? mantissa << shift : shift > -24 ? mantissa >> -shift : 0;
            sums[k] += bits < 0 ? -magnitude : magnitude;
        }
    }

    /// <summary>sums[k] += From(terms[k]) for every k.</summary>
    public static void Add(Span<Int128> sums, ReadOnlySpan<double> terms)
    {
        if (sums.Length != terms.Length) throw new ArgumentException($"{terms.Length} terms for {sums.Length} sums");
        for (int k = 0; k < terms.Length; k++)
            if (terms[k] != 0) sums[k] += From(terms[k]);
    }

    /// <summary>into[k] += other[k]: merging two partial sums (exact, in any order).</summary>
    public static void Merge(Span<Int128> into, ReadOnlySpan<Int128> other)
    {
        if (into.Length != other.Length) throw new ArgumentException($"merging {other.Length} sums into {into.Length}");
        for (int k = 0; k < other.Length; k++) into[k] += other[k];
    }
}
