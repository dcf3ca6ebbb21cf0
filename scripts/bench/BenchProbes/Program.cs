using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Kernels.Cpu;
using NeuronHost.Plugins.Gaussian;
using NeuronHost.Plugins.Linear;
using NeuronHost.Sdk;

// Developer runner: `linear [train] [features] [fista]`, `gaussian [train] [features] [steps]`,
// `gaussian-agree`, or `all`. `neuronhost bench probes` runs the same benchmarks.
string what = args.Length > 0 ? args[0] : "all";
static string Load() => File.Exists("/proc/loadavg") ? "load average " + string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "load average n/a";
Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Load()}");
// the 1-minute load average every 30 s, summarised at the end (the machine is shared)
var loads = new List<double>();
using var loadTimer = new Timer(_ =>
{
    if (File.Exists("/proc/loadavg")) lock (loads) loads.Add(double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
}, null, TimeSpan.Zero, TimeSpan.FromSeconds(30));
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
int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
if (what is "gaussian" or "all")
{
    // synthetic: gaussian [train dev neurons steps agree mi-tokens]
    int nt = Arg(1, 50000), nd = Arg(2, 2000), d = Arg(3, 3000);
    var big = SyntheticProbingData.Probing(nt, nd, d, 17, 2, Math.Min(400, d), 0.4);
    GaussianSelectionBenchmark.Run(big, new PluginContext(kernels), Console.Out, steps: Arg(4, 400), agreeSteps: Arg(5, 50), evalTokens: Arg(6, 1000));
}
if (what is "gaussian-real")
{
    // real activations: UPOS on UD English-EWT, mlp.hook_post of all 4 layers of gpt2-mini-brown
    // (4 × 1,024 neurons); gaussian-real [train-sentences mi-tokens steps agree]
    string shared = Environment.GetEnvironmentVariable("NEURONHOST_SHARED") is { Length: > 0 } sh ? sh : Path.Combine(root, "..", "shared");
    int trainSentences = Arg(1, 3400);
    var full = Corpus.Load(Path.Combine(shared, "corpora", "ud-english-ewt"));
    CorpusSplit Slice(string name, int count) => new(name, full.Split(name)!.Sentences.Take(count).ToArray());
    var corpus = new Corpus("ewt-slice", full.Format, [], [Slice("train", trainSentences), Slice("dev", 600), Slice("test", 50)]);
    string modelDir = Path.Combine(shared, "models", "gpt2-mini-brown");
    var storeDir = Path.Combine(Path.GetTempPath(), "neuronhost-bench", $"ewt{trainSentences}-upos-gpt2-mini-brown-mlp-post");
    var sw = System.Diagnostics.Stopwatch.StartNew();
    ExtractionJob.Run(modelDir, new ExtractionOptions
    {
        Corpus = corpus, HookPoints = [.. Enumerable.Range(0, 4).Select(HookPoints.MlpPost)], OutputDirectory = storeDir,
        Task = TaskSpec.Upos, ModelDirectory = modelDir,
    });
    using var store = ActivationStore.Open(storeDir);
    var task = StoreTaskData.Build(store, TaskSpec.Upos, new TaskOptions { MinCount = 20 });
    Console.WriteLine($"real data: EWT train {trainSentences} sentences / dev 600, UPOS, gpt2-mini-brown mlp.hook_post layers 0–3; " +
                      $"store {storeDir} ({sw.Elapsed.TotalSeconds:F0} s to extract or reuse)");
    GaussianSelectionBenchmark.Run(task.Data, new PluginContext(kernels), Console.Out, steps: Arg(3, 400), agreeSteps: Arg(4, 50), evalTokens: Arg(2, 1000));
}
if (what is "gaussian-agree")
{
    var small = SyntheticProbingData.Probing(5000, 500, 200, 17, 3, 60, 0.4);
    GaussianSelectionBenchmark.RunAgreement(small, new PluginContext(kernels), Console.Out, agreeSteps: 50, evalTokens: 500);
}
lock (loads)
    Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Load()}" +
                      (loads.Count > 0 ? $"; 1-min load during the run (every 30 s): min {loads.Min():F1}, mean {loads.Average():F1}, max {loads.Max():F1}" : ""));
