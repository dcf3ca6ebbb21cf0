namespace NeuronHost.Sdk.Testing;

/// <summary>Probing data held in arrays, shaped like what the host hands plugins: columns are
/// neurons of one hook point, labels index the class names.</summary>
public static class InMemoryData
{
    /// <summary>One split from a [tokens, neurons] array and one label per token.</summary>
    /// <param name="rowsPerBlock">rows per <see cref="ActivationBlock"/> (the host's matrices come
    /// in many blocks; a small value here checks that the plugin reads them all)</param>
    public static DataSplit Split(float[,] activations, int[] labels, string hookPoint = "blocks.0.mlp.hook_post", int rowsPerBlock = 0)
    {
        int rows = activations.GetLength(0), columns = activations.GetLength(1);
        if (labels.Length != rows) throw new ArgumentException($"{labels.Length} labels for {rows} rows");
        var data = new float[rows * columns];
        Buffer.BlockCopy(activations, 0, data, 0, data.Length * sizeof(float));
        return new DataSplit(new DenseActivationMatrix(data, rows, columns, hookPoint, rowsPerBlock), labels);
    }

    /// <summary>A probing task with train (and optionally test) splits.</summary>
    public static ProbingData Task(string[] classNames, DataSplit train, DataSplit? test = null, string name = "test-task") =>
        new(name, classNames, train, Test: test);

    /// <summary>Seeded synthetic data: <paramref name="classes"/> classes of equal size; neuron j &lt;
    /// <paramref name="informative"/> has mean (label == j % classes ? <paramref name="separation"/> : 0),
    /// the other neurons carry no class information; every neuron has unit Gaussian noise.
    /// A good ranking puts the informative neurons first; a probe on them is accurate.</summary>
    public static ProbingData Separable(int tokens, int neurons, int informative, int classes = 2,
        double separation = 3.0, int seed = 1, int rowsPerBlock = 64)
    {
        if (informative > neurons) throw new ArgumentException("more informative neurons than neurons");
        var rng = new SplitMix64((ulong)seed);
        DataSplit Make(int n)
        {
            var x = new float[n, neurons];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % classes;
                for (int j = 0; j < neurons; j++)
                {
                    double mean = j < informative && labels[i] == j % classes ? separation : 0;
                    x[i, j] = (float)(mean + Gaussian(ref rng));
                }
            }
            return Split(x, labels, rowsPerBlock: rowsPerBlock);
        }
        var names = Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray();
        return Task(names, Make(tokens), Make(Math.Max(classes, tokens / 4)), "separable");
    }

    private static double Gaussian(ref SplitMix64 rng)
    {
        // Box–Muller on two uniforms in (0, 1].
        double u1 = (rng.Next() >> 11) * (1.0 / (1UL << 53)), u2 = (rng.Next() >> 11) * (1.0 / (1UL << 53));
        return Math.Sqrt(-2 * Math.Log(1 - u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
