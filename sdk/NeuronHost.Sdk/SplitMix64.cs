namespace NeuronHost.Sdk;

/// <summary>Steele, Lea &amp; Flood's SplitMix64 (the generator Java's SplittableRandom and
/// xoshiro's seeding use). Our own, so a seed gives the same numbers on every runtime and
/// platform, unlike System.Random whose algorithm may change between .NET versions.</summary>
public struct SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong Next()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, bound): the high 64 bits of Next() × bound (Lemire's
    /// multiply-shift, without the rejection step; its bias is below 2^-32 for bound &lt; 2^32).</summary>
    public int NextBelow(int bound) => (int)Math.BigMul(Next(), (ulong)bound, out _);
}
