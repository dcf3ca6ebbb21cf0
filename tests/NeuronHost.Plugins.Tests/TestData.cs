using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Plugins.Tests;

/// <summary>Deterministic "real-ish" probing data: class-dependent means on some neurons,
/// correlated noise shared through a low-rank factor, neuron-specific scales and offsets.</summary>
public static class TestData
{
    public static (float[] X, int[] Y) Generate(int rows, int features, int classes, int seed, int informative = 8, double signal = 1.0)
    {
        var rng = new Random(seed);
        var means = new double[classes, features];
        for (int c = 0; c < classes; c++)
            for (int j = 0; j < Math.Min(informative, features); j++) means[c, j] = signal * Gauss(rng) * (1.0 + j % 3);
        const int rank = 3;
        var load = new double[rank, features];
        for (int r = 0; r < rank; r++) for (int j = 0; j < features; j++) load[r, j] = 0.6 * Gauss(rng);
        var scale = Enumerable.Range(0, features).Select(_ => 0.3 + 2 * rng.NextDouble()).ToArray();
        var offset = Enumerable.Range(0, features).Select(_ => 3 * Gauss(rng)).ToArray();
        var x = new float[rows * features]; var y = new int[rows];
        var f = new double[rank];
        for (int i = 0; i < rows; i++)
        {
            // skewed class prior, like POS tags
            int c = Math.Min(classes - 1, (int)(classes * Math.Pow(rng.NextDouble(), 1.6)));
            y[i] = c;
            for (int r = 0; r < rank; r++) f[r] = Gauss(rng);
            for (int j = 0; j < features; j++)
            {
                double v = means[c, j] + Gauss(rng) * (1 + 0.2 * (c % 2));
                for (int r = 0; r < rank; r++) v += load[r, j] * f[r];
                x[i * features + j] = (float)(offset[j] + scale[j] * v);
            }
        }
        return (x, y);
    }

    public static double Gauss(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static ProbingData Probing(int trainRows, int devRows, int features, int classes, int seed, int informative = 8, double signal = 1.0)
    {
        var (x, y) = Generate(trainRows + devRows, features, classes, seed, informative, signal);
        var names = Enumerable.Range(0, classes).Select(c => $"C{c}").ToArray();
        var neurons = Enumerable.Range(0, features).Select(j => new NeuronRef($"blocks.{j % 4}.mlp.hook_post", j)).ToArray();
        var train = new DataSplit(new DenseActivationMatrix(x.AsMemory(0, trainRows * features), trainRows, neurons), y.AsMemory(0, trainRows));
        DataSplit? dev = devRows == 0 ? null :
            new DataSplit(new DenseActivationMatrix(x.AsMemory(trainRows * features), devRows, neurons), y.AsMemory(trainRows));
        return new ProbingData("synthetic", names, train, dev, dev);
    }

    public static PluginContext Context(int seed = 1) => new(new ReferenceKernels()) { Seed = seed };

    public static void WriteFloats(string path, ReadOnlySpan<float> values)
    {
        using var f = File.Create(path);
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    public static void WriteInts(string path, ReadOnlySpan<int> values)
    {
        using var f = File.Create(path);
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
    }

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "neuronhost-plugins-tests", name + "-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>Python references: Debian's numpy/sklearn live in the system python3; a pyenv shim
/// earlier on PATH would hide them, so ask pyenv for the system interpreter.</summary>
public static class Py
{
    static Py()
    {
        if (Environment.GetEnvironmentVariable("PYENV_VERSION") is null)
            Environment.SetEnvironmentVariable("PYENV_VERSION", "system");
    }

    public static bool Has(string module) => PythonReference.HasModule(module);

    public static string Run(string script, string dir) => PythonReference.RunOrThrow(script, TimeSpan.FromMinutes(3), dir);

    public static double[] Numbers(string stdout) =>
        stdout.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
