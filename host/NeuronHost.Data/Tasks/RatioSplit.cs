namespace NeuronHost.Data.Tasks;

/// <summary>Sentences shuffled with a seed, then cut into train / dev / test by fractions: the
/// split a corpus without its own train part gets (the store's task and an import alike).</summary>
public static class RatioSplit
{
    /// <summary>The split name ("train", "dev" or "test") of each of <paramref name="sentences"/> sentences.</summary>
    public static string[] Assign(int sentences, double trainFraction, double devFraction, int seed)
    {
        if (trainFraction <= 0 || devFraction < 0 || trainFraction + devFraction > 1)
            throw new ArgumentException($"bad split fractions train={trainFraction} dev={devFraction}");
        var order = Enumerable.Range(0, sentences).ToArray();
        new SeededRandom(seed).Shuffle(order);
        int nTrain = (int)Math.Round(order.Length * trainFraction);
        int nDev = (int)Math.Round(order.Length * devFraction);
        var result = new string[sentences];
        for (int i = 0; i < order.Length; i++)
            result[order[i]] = i < nTrain ? "train" : i < nTrain + nDev ? "dev" : "test";
        return result;
    }

    /// <summary>"train/dev/test 80/10/10 % of sentences, seed 1" — how the split was made, for the output.</summary>
    public static string Describe(double trainFraction, double devFraction, int seed, string unit = "sentences") =>
        FormattableString.Invariant($"train/dev/test {trainFraction * 100:0}/{devFraction * 100:0}/{(1 - trainFraction - devFraction) * 100:0} % of {unit}, seed {seed}");
}
