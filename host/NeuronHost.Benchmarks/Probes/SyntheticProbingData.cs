using NeuronHost.Plugins.Linear;
using System.Numerics.Tensors;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Probes;

/// <summary>Synthetic probing data shaped like POS tagging on a model's FFN neurons, for the
/// probe benchmarks: skewed class prior, class signal (class means drawn with standard
/// deviation <c>signal</c>) on the first <c>informative</c> neurons, unit noise plus correlated
/// noise through a rank-8 factor. Deterministic for a seed.</summary>
public static class SyntheticProbingData
{
    public static (float[] X, int[] Y) Generate(int rows, int features, int classes, int seed, int informative, double signal)
    {
        var rng = new Random(seed);
        double G() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var means = new float[classes * features];
        for (int c = 0; c < classes; c++) for (int j = 0; j < Math.Min(informative, features); j++) means[c * features + j] = (float)(signal * G());
        const int rank = 8;
        var load = new float[rank * features];
        for (int k = 0; k < load.Length; k++) load[k] = (float)(0.5 * G());
        var x = new float[(long)rows * features]; var y = new int[rows];
        var f = new float[rank];
        for (int i = 0; i < rows; i++)
        {
            int c = Math.Min(classes - 1, (int)(classes * Math.Pow(rng.NextDouble(), 1.8)));
            y[i] = c;
            for (int r = 0; r < rank; r++) f[r] = (float)G();
            var row = x.AsSpan((int)((long)i * features), features);
            for (int j = 0; j < features; j++) row[j] = means[c * features + j] + (float)G();
            for (int r = 0; r < rank; r++) TensorPrimitives.MultiplyAdd(load.AsSpan(r * features, features), f[r], row, row);
        }
        return (x, y);
    }

    /// <summary>A benchmark task of train/dev/test rows drawn from one generator.</summary>
    public static LinearBenchmarkTask Task(string name, int train, int dev, int test, int features, int classes, int seed,
        int informative, double signal)
    {
        var (x, y) = Generate(train + dev + test, features, classes, seed, informative, signal);
        float[] X(int from, int count) => x.AsSpan(from * features, count * features).ToArray();
        int[] Y(int from, int count) => y.AsSpan(from, count).ToArray();
        return new LinearBenchmarkTask(name, features, classes, X(0, train), Y(0, train), X(train, dev), Y(train, dev),
            test > 0 ? X(train + dev, test) : null, test > 0 ? Y(train + dev, test) : null);
    }

    /// <summary>The same data as a <see cref="ProbingData"/> (train and dev), for the Gaussian benchmark.</summary>
    public static ProbingData Probing(int train, int dev, int features, int classes, int seed, int informative, double signal)
    {
        var (x, y) = Generate(train + dev, features, classes, seed, informative, signal);
        var names = Enumerable.Range(0, classes).Select(c => $"C{c}").ToArray();
        var neurons = Enumerable.Range(0, features).Select(j => new NeuronRef("blocks.0.mlp.hook_post", j)).ToArray();
        return new ProbingData("synthetic", names,
            new DataSplit(new DenseActivationMatrix(x.AsMemory(0, train * features), train, neurons), y.AsMemory(0, train)),
            new DataSplit(new DenseActivationMatrix(x.AsMemory(train * features), dev, neurons), y.AsMemory(train)));
    }
}
