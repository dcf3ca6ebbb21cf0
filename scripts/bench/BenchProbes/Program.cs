using NeuronHost.Kernels.Cpu;
using NeuronHost.Plugins.Gaussian;
using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;

// Developer runner: `linear [train] [features] [fista]`, `gaussian [train] [features] [steps]`,
// `gaussian-agree`, or `all`. `neuronhost bench probes` runs the same benchmarks.
string what = args.Length > 0 ? args[0] : "all";
var kernels = new CpuKernels();
string? root = Environment.CurrentDirectory;
while (root is not null && !File.Exists(Path.Combine(root, "NeuronHost.sln"))) root = Path.GetDirectoryName(root);
root ??= AppContext.BaseDirectory;
if (what is "linear" or "all")
{
    int nt = args.Length > 1 ? int.Parse(args[1]) : 20000, d = args.Length > 2 ? int.Parse(args[2]) : 1024;
    bool fista = args.Length > 3 && args[3] == "fista";
    double peak = LinearProbeBenchmark.MeasureSgemmPeak(kernels);
    var results = new List<LinearProbeBenchmark.Result>();
    foreach (var (name, seed, informative, signal) in new[] { ("synthetic, hard (signal 0.15)", 1, 200, 0.15), ("synthetic, easy (signal 0.35)", 1, 300, 0.35) })
    {
        var task = SyntheticProbingData.Task(name, nt, 5000, 5000, d, 17, seed, informative, signal);
        results.Add(LinearProbeBenchmark.Run(task, kernels, Path.Combine(root, "scripts/bench/neurox_linear_probe.py"), Console.Out, peak, withFista: fista));
    }
    LinearProbeBenchmark.PrintSummary(results, Console.Out);
}
if (what is "gaussian" or "all")
{
    int nt = args.Length > 1 ? int.Parse(args[1]) : 50000, d = args.Length > 2 ? int.Parse(args[2]) : 3000;
    int steps = args.Length > 3 ? int.Parse(args[3]) : 400;
    var big = SyntheticProbingData.Probing(nt, 2000, d, 17, 2, 400, 0.4);
    var small = SyntheticProbingData.Probing(5000, 500, 200, 17, 3, 60, 0.4);
    GaussianSelectionBenchmark.Run(big, small, new PluginContext(kernels), Console.Out, steps: steps);
}
if (what is "gaussian-agree")
{
    var small = SyntheticProbingData.Probing(5000, 500, 200, 17, 3, 60, 0.4);
    GaussianSelectionBenchmark.RunAgreement(small, new PluginContext(kernels), Console.Out, agreeSteps: 50, evalTokens: 500);
}
