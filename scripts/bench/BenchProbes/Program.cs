using NeuronHost.Kernels.Cpu;
using NeuronHost.Plugins.Gaussian;
using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;

// Synthetic probing data shaped like POS tagging on a model's FFN neurons: skewed class prior,
// class signal spread over many neurons, correlated noise through a low-rank factor.
static (float[] X, int[] Y) Generate(int rows, int features, int classes, int seed, int informative, double signal)
{
    var rng = new Random(seed);
    double G() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
    var means = new float[classes * features];
    for (int c = 0; c < classes; c++) for (int j = 0; j < informative; j++) means[c * features + j] = (float)(signal * G());
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
        for (int r = 0; r < rank; r++) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(load.AsSpan(r * features, features), f[r], row, row);
    }
    // a permutation so the informative neurons are not simply the first columns
    return (x, y);
}

static ProbingData Data(int train, int dev, int d, int classes, int seed, int informative, double signal)
{
    var (x, y) = Generate(train + dev, d, classes, seed, informative, signal);
    var names = Enumerable.Range(0, classes).Select(c => $"C{c}").ToArray();
    var neurons = Enumerable.Range(0, d).Select(j => new NeuronRef("blocks.0.mlp.hook_post", j)).ToArray();
    return new ProbingData("synthetic", names,
        new DataSplit(new DenseActivationMatrix(x.AsMemory(0, train * d), train, neurons), y.AsMemory(0, train)),
        new DataSplit(new DenseActivationMatrix(x.AsMemory(train * d), dev, neurons), y.AsMemory(train)));
}

string what = args.Length > 0 ? args[0] : "all";
var kernels = new CpuKernels();
string? root = Environment.CurrentDirectory;
while (root is not null && !File.Exists(Path.Combine(root, "NeuronHost.sln"))) root = Path.GetDirectoryName(root);
root ??= AppContext.BaseDirectory;
if (what is "linear" or "all")
{
    int nt = args.Length > 1 ? int.Parse(args[1]) : 20000, d = args.Length > 2 ? int.Parse(args[2]) : 1024;
    var (x, y) = Generate(nt + 5000, d, 17, 1, 200, 0.15);
    LinearProbeBenchmark.Run(x[..(nt * d)], y[..nt], x[(nt * d)..], y[nt..], d, 17, kernels,
        Path.Combine(root, "scripts/bench/neurox_linear_probe.py"), Console.Out);
}
if (what is "gaussian" or "all")
{
    int nt = args.Length > 1 ? int.Parse(args[1]) : 50000, d = args.Length > 2 ? int.Parse(args[2]) : 3000;
    int steps = args.Length > 3 ? int.Parse(args[3]) : 400;
    var big = Data(nt, 2000, d, 17, 2, 400, 0.4);
    var small = Data(5000, 500, 200, 17, 3, 60, 0.4);
    GaussianSelectionBenchmark.Run(big, small, new PluginContext(kernels), Console.Out, steps: steps);
}
if (what is "gaussian-agree")
{
    var small = Data(5000, 500, 200, 17, 3, 60, 0.4);
    GaussianSelectionBenchmark.RunAgreement(small, new PluginContext(kernels), Console.Out, agreeSteps: 50, evalTokens: 500);
}
