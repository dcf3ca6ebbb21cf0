using System.CommandLine;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Plugins.Gaussian;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Probes;

/// <summary><c>neuronhost bench probes</c>: our linear probe vs NeuroX's trainer algorithm
/// (PyTorch Adam, scripts/bench/neurox_linear_probe.py) on synthetic POS-like tasks and, with
/// --store, on real activations; optionally (--gaussian) the incremental vs from-scratch Gaussian
/// selection. Every ratio comes from one run; the SGEMM peak is measured in the same run.</summary>
internal static class ProbesCommand
{
    /// <param name="measured">Given the probes' and the Gaussian selection's results when the command has run (<c>bench all</c> judges its goals by them).</param>
    public static Command Build(Action<IReadOnlyList<LinearProbeBenchmark.Result>, GaussianSelectionBenchmark.Result?>? measured = null)
    {
        var quick = new Option<bool>("--quick") { Description = "Tiny sizes (seconds): a smoke run of the whole benchmark, not a measurement" };
        var train = new Option<int>("--train") { Description = "Synthetic train tokens", DefaultValueFactory = _ => 20000 };
        var dev = new Option<int>("--dev") { Description = "Synthetic dev (and test) tokens", DefaultValueFactory = _ => 5000 };
        var features = new Option<int>("--features") { Description = "Synthetic neurons", DefaultValueFactory = _ => 1024 };
        var synthetic = new Option<bool>("--synthetic") { Description = "With --store: also run the synthetic tasks", DefaultValueFactory = _ => false };
        var store = new Option<string?>("--store") { Description = "An activation store (neuronhost extract) whose train/dev/test splits are benchmarked too", HelpName = "STORE" };
        var task = new Option<string>("--task") { Description = "Task of the store: upos, xpos, deprel or a feature such as Number", DefaultValueFactory = _ => "upos" };
        var minCount = new Option<int>("--min-count") { Description = "Drop classes with fewer training words", DefaultValueFactory = _ => 20 };
        var layers = new Option<int[]?>("--layers") { Description = "Store: one task per layer given, plus one with all of them (default: every layer together)", AllowMultipleArgumentsPerToken = true };
        var maxTrain = new Option<int>("--max-train") { Description = "Store: use at most this many train tokens (0 = all)", DefaultValueFactory = _ => 0 };
        var l1 = new Option<double>("--l1") { Description = "λ1 (both trainers)", DefaultValueFactory = _ => 1e-5 };
        var l2 = new Option<double>("--l2") { Description = "λ2 (both trainers)", DefaultValueFactory = _ => 1e-5 };
        var patience = new Option<int?>("--patience") { Description = "Our early stopping: iterations without progress on dev accuracy (default: the probe's)" };
        var minDelta = new Option<double?>("--min-delta") { Description = "Our early stopping: dev accuracy gain that counts as progress, as a fraction (default: the probe's)" };
        var repeats = new Option<int>("--repeats", "--rounds") { Description = "Interleaved rounds per task: ours, then Adam, alternating (medians and min–max reported; ≥ 5 except with --quick)", DefaultValueFactory = _ => 5 };
        var adamThreads = new Option<int>("--adam-threads") { Description = "torch threads for NeuroX's trainer (0 = the fastest of 1..cores, tried on one epoch)", DefaultValueFactory = _ => 0 };
        var fista = new Option<bool>("--fista") { Description = "Also time our FISTA solver" };
        var gaussian = new Option<bool>("--gaussian") { Description = "Also run the Gaussian selection benchmark (incremental vs from-scratch)" };
        var gaussianSteps = new Option<int>("--gaussian-steps") { Description = "Gaussian: selection steps, both selectors in full", DefaultValueFactory = _ => 120 };
        var gaussianNeurons = new Option<int>("--gaussian-neurons") { Description = "Gaussian: synthetic neurons", DefaultValueFactory = _ => 500 };
        var gaussianTrain = new Option<int>("--gaussian-train") { Description = "Gaussian: synthetic train tokens", DefaultValueFactory = _ => 20000 };
        var gaussianEval = new Option<int>("--gaussian-eval") { Description = "Gaussian: held-out tokens the mutual information is computed on", DefaultValueFactory = _ => 300 };
        var threads = new Option<int>("--threads") { Description = "OpenBLAS threads for our trainer (0 = all cores)", DefaultValueFactory = _ => 0 };
        var python = new Option<string?>("--python") { Description = "Python with torch for NeuroX's trainer (default /usr/bin/python3)" };
        var script = new Option<string?>("--script") { Description = "neurox_linear_probe.py (default: the copy shipped next to the executable)" };
        var command = new Command("probes", "Linear probe (ours vs NeuroX's Adam trainer) and, with --gaussian, Gaussian selection benchmarks")
        {
            quick, train, dev, features, synthetic, store, task, minCount, layers, maxTrain, l1, l2, patience, minDelta, repeats, adamThreads, fista, gaussian, gaussianSteps, gaussianNeurons, gaussianTrain, gaussianEval, threads, python, script,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var kernels = new CpuKernels();
            bool isQuick = parse.GetValue(quick);
            string scriptPath = parse.GetValue(script) ?? FindScript();
            int blas = NeuronHost.Kernels.Blas.Gemm.SetThreads(parse.GetValue(threads) > 0 ? parse.GetValue(threads) : Environment.ProcessorCount);
            double peak = LinearProbeBenchmark.MeasureSgemmPeak(kernels, isQuick ? 512 : 2048);
            output.WriteLine($"SGEMM peak: {peak:F1} GFLOP/s ({NeuronHost.Kernels.Blas.Gemm.Implementation}, {blas} threads); load average {Harness.LoadAverage.Now()}");

            var tasks = new List<LinearBenchmarkTask>();
            string? storePath = parse.GetValue(store);
            if (storePath is null || parse.GetValue(synthetic))
            {
                int nt = isQuick ? 800 : parse.GetValue(train), nd = isQuick ? 200 : parse.GetValue(dev), d = isQuick ? 32 : parse.GetValue(features);
                tasks.Add(SyntheticProbingData.Task("synthetic, hard (signal 0.15)", nt, nd, nd, d, 17, 1, Math.Max(1, d / 5), 0.15));
                if (!isQuick) tasks.Add(SyntheticProbingData.Task("synthetic, easy (signal 0.35)", nt, nd, nd, d, 17, 1, Math.Max(1, d * 3 / 10), 0.35));
            }
            if (storePath is not null)
                tasks.AddRange(StoreTasks(storePath, parse.GetRequiredValue(task), parse.GetValue(minCount), parse.GetValue(layers), parse.GetValue(maxTrain)));

            var results = new List<LinearProbeBenchmark.Result>();
            foreach (var t in tasks)
            {
                results.Add(LinearProbeBenchmark.Run(t, kernels, scriptPath, output, peak, parse.GetValue(l1), parse.GetValue(l2),
                    parse.GetValue(python), patience: parse.GetValue(patience), minDelta: parse.GetValue(minDelta), withFista: parse.GetValue(fista), threads: parse.GetValue(adamThreads),
                    repeats: isQuick ? 1 : parse.GetValue(repeats)));
                output.WriteLine();
            }
            output.WriteLine("summary (ours = OWL-QN, early-stopped on dev; Adam = NeuroX's trainer, 10 epochs, batch 32)");
            LinearProbeBenchmark.PrintSummary(results, output);

            GaussianSelectionBenchmark.Result? selection = null;
            if (parse.GetValue(gaussian))
            {
                output.WriteLine();
                var context = new PluginContext(kernels);
                // Both selectors run every step; the from-scratch one grows as |S|³ per candidate,
                // which is what bounds the sizes here (see docs/benchmarks.md).
                if (isQuick)
                    selection = GaussianSelectionBenchmark.Run(SyntheticProbingData.Probing(2000, 300, 60, 5, 2, 20, 0.4), context, output, steps: 10, evalTokens: 200);
                else
                {
                    int d = parse.GetValue(gaussianNeurons);
                    selection = GaussianSelectionBenchmark.Run(SyntheticProbingData.Probing(parse.GetValue(gaussianTrain), 1000, d, 17, 2, Math.Min(200, d), 0.4), context, output,
                        steps: parse.GetValue(gaussianSteps), evalTokens: parse.GetValue(gaussianEval));
                }
            }
            measured?.Invoke(results, selection);
            return 0;
        });
        return command;
    }

    /// <summary>Benchmark tasks from a store: the given layers one by one, then all together
    /// (or every neuron once when no layer is given). Unlabelled tokens are dropped.</summary>
    private static IEnumerable<LinearBenchmarkTask> StoreTasks(string path, string taskName, int minCount, int[]? layers, int maxTrain)
    {
        using var store = ActivationStore.Open(path);
        var data = StoreTaskData.Build(store, TaskSpec.Parse(taskName), new TaskOptions { MinCount = minCount }).Data;
        if (data.Dev is null) throw new InvalidOperationException($"{path}: task {taskName} has no dev split (the benchmark compares dev accuracies)");
        var neurons = data.Neurons;
        var groups = new List<(string Name, int[] Columns)>();
        int[] Of(IEnumerable<int> ls) => Enumerable.Range(0, neurons.Count)
            .Where(j => ls.Any(l => neurons[j].HookPoint.StartsWith($"blocks.{l}.", StringComparison.Ordinal))).ToArray();
        if (layers is { Length: > 0 })
        {
            foreach (int l in layers) groups.Add(($"layer {l}", Of([l])));
            if (layers.Length > 1) groups.Add(($"layers {string.Join('+', layers)}", Of(layers)));
        }
        else groups.Add(("all stored neurons", Enumerable.Range(0, neurons.Count).ToArray()));
        string model = Path.GetFileName(Path.GetFullPath(path).TrimEnd('/'));
        foreach (var (name, columns) in groups)
        {
            if (columns.Length == 0) throw new InvalidOperationException($"{path}: no stored neurons for {name}");
            var (tx, ty) = Dense(data.Train, columns, maxTrain);
            var (dx, dy) = Dense(data.Dev, columns, 0);
            var (sx, sy) = data.Test is null ? (null, null) : Dense(data.Test, columns, 0);
            yield return new LinearBenchmarkTask($"{model} {data.Task}, {name}", columns.Length, data.ClassCount, tx, ty, dx, dy, sx, sy);
        }
    }

    private static (float[] X, int[] Y) Dense(DataSplit split, int[] columns, int maxRows)
    {
        var x = split.Activations.GatherColumns(columns);
        var labels = split.Labels.ToArray();
        var keep = Enumerable.Range(0, labels.Length).Where(i => labels[i] >= 0).ToList();
        if (maxRows > 0 && keep.Count > maxRows) keep = keep.Take(maxRows).ToList();
        int d = columns.Length;
        var outX = new float[(long)keep.Count * d]; var outY = new int[keep.Count];
        for (int r = 0; r < keep.Count; r++)
        {
            x.AsSpan(keep[r] * d, d).CopyTo(outX.AsSpan(r * d, d));
            outY[r] = labels[keep[r]];
        }
        return (outX, outY);
    }

    /// <summary>The script shipped next to the executable. Never one found by walking up from the
    /// working directory: running the benchmark inside a downloaded tree must not run its Python.</summary>
    internal static string ShippedScript => Path.Combine(AppContext.BaseDirectory, "Probes", "neurox_linear_probe.py");

    private static string FindScript() => File.Exists(ShippedScript) ? ShippedScript
        : throw new InvalidOperationException($"{ShippedScript} is missing (it is copied there by the build); pass --script");
}
