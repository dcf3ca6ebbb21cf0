namespace NeuronHost.Data.Tasks;

/// <summary>SplitMix64: a tiny generator whose sequence is fixed by this code (not by the
/// runtime's System.Random), so splits, balancing and control labels repeat across .NET versions.</summary>
public sealed class SeededRandom(long seed)
{
    private ulong state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL);

    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n).</summary>
    public int Next(int n) => (int)(NextDouble() * n);

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
