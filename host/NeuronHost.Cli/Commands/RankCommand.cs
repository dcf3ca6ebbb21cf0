using System.CommandLine;
using NeuronHost.Core.Analysis;
using NeuronHost.Core.Config;
using NeuronHost.Core.Isolation;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;
using NeuronHost.Data.Interop;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Kernels;
using NeuronHost.Sdk;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost rank STORE|EXPORT --task TASK --rankings … --probes … --out DIR</c>: the
/// Pitfalls probe × ranking grid (top/bottom/random-k, control selectivity, all-neuron oracle,
/// Durrani's minimal neuron set) on an activation store or an exported/imported .npy folder,
/// written as JSON + CSV. Scriptable counterpart of the pipeline's rank-and-probe stage. Plugins
/// run in worker processes; plugin log lines and output go to standard error, so --json output stays
/// JSON. A failed plugin is named and the rest saved (exit code 4); Ctrl+C saves what finished (130).</summary>
public sealed class RankCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var input = new Argument<string>("ACTIVATIONS") { Description = "An activation store folder (neuronhost extract), an export folder (activations.npy + labels.json), or NeuroX files (activations.hdf5 or .json + sentences.txt + labels.txt)" };
        var task = new Option<string>("--task") { Description = "For a store: upos, xpos, deprel or a feature such as Number", DefaultValueFactory = _ => "upos" };
        var minCount = new Option<int>("--min-count") { Description = "Drop classes with fewer training words", DefaultValueFactory = _ => TaskOptions.DefaultMinCount };
        var rankings = new Option<string[]>("--rankings") { Description = "Ranking plugins", DefaultValueFactory = _ => ["probeless", "linear"], AllowMultipleArgumentsPerToken = true };
        var probes = new Option<string[]>("--probes") { Description = "Probe plugins", DefaultValueFactory = _ => ["linear-probe"], AllowMultipleArgumentsPerToken = true };
        var ks = new Option<int[]>("--k") { Description = "k values of the grid", DefaultValueFactory = _ => [.. GridOptions.DefaultK], AllowMultipleArgumentsPerToken = true };
        var margin = new Option<double>("--margin") { Description = "Minimal neuron set: within this of the all-neuron accuracy", DefaultValueFactory = _ => 0.01 };
        var backend = BackendOption.Create();
        var seed = new Option<int>("--seed") { Description = "Seed of the random baseline and the control task", DefaultValueFactory = _ => 1 };
        var draws = new Option<int>("--random-draws") { Description = "Seeded random-k draws (mean, sd and 95% interval are reported; 10 or more)", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--out") { Description = "Folder for grid.json and the CSVs", Required = true, HelpName = "DIR" };
        var parameters = CliContext.CreateParameterOption("Set a plugin parameter as PLUGIN.NAME=VALUE (values as in analysis.yaml; see 'plugins show PLUGIN'); repeatable");
        var isolation = new IsolationCliOptions();
        var noVerify = StoreCommand.NoVerifyOption();
        var command = new Command("rank", "Rank neurons and evaluate every ranking with every probe (top/random/bottom-k, selectivity, minimal set) on stored or exported activations. "
            + IsolationCliOptions.ExitCodesHelp)
        {
            input, task, minCount, rankings, probes, ks, margin, backend, seed, draws, output, parameters, noVerify,
        };
        isolation.AddTo(command);
        command.SetAction(parse =>
        {
            using var catalog = cli.LoadPlugins(parse);
            var rankingNames = Names(parse.GetRequiredValue(rankings)).ToArray();
            var probeNames = Names(parse.GetRequiredValue(probes)).ToArray();
            var values = PluginParameterValues(parse, parameters, [.. rankingNames, .. probeNames]);
            var choice = KernelBackends.Create(parse.GetValue(backend));
            // Workers use the backend chosen here, without probing devices again.
            string workerBackend = choice.Kernels.Backend.StartsWith("cpu", StringComparison.Ordinal) ? "cpu" : parse.GetValue(backend) ?? "";
            using var runners = new PluginRunners(catalog, isolation.Read(parse, workerBackend));
            var rankers = rankingNames.Select(n => runners.Ranking(n, values.GetValueOrDefault(n))).ToList();
            var probeList = probeNames.Select(n => runners.Probe(n, values.GetValueOrDefault(n))).ToList();
            var err = cli.Error(parse);
            if (!string.IsNullOrEmpty(choice.Notice)) err.WriteLine(choice.Notice);
            var log = new PipelineLog();
            log.Written += (level, message) => { lock (err) err.WriteLine(level == LogLevel.Warn ? $"warning: {message}" : message); };
            using var cts = ExtractCommand.CancelOnCtrlC();

            string path = parse.GetRequiredValue(input);
            using var disposables = new Disposables();
            ProbingData data;
            ControlLabels? control;
            string splitOrigin, model;
            if (ActivationImport.IsImportFolder(path))
            {
                var imported = disposables.Add(ActivationImport.Load(path));
                data = imported.ToProbingData(parse.GetValue(seed));
                splitOrigin = imported.SplitOrigin(parse.GetValue(seed));
                model = $"the activations in {path}";
                control = ControlTask.Build(data, parse.GetValue(seed));
            }
            else
            {
                var store = disposables.Add(CliProgress.Run(cli, parse, progress =>
                    ActivationStore.Open(path, !parse.GetValue(noVerify), progress, cts.Token)));
                var built = StoreTaskData.Build(store, TaskSpec.Parse(parse.GetRequiredValue(task)),
                    new TaskOptions { MinCount = parse.GetValue(minCount), Control = true, Seed = parse.GetValue(seed) });
                data = built.Data;
                splitOrigin = built.Task.SplitOrigin;
                model = store.Manifest.Model.Name;
                control = built.Control is { } c ? ControlLabels.From(c) : null;
            }

            cli.Error(parse).WriteLine($"splits: {splitOrigin}");
            int drawCount = parse.GetValue(draws);
            if (drawCount < 1 || drawCount > AnalysisConfigValidator.MaxRandomDraws)
                throw new CliException($"--random-draws must be from 1 to {AnalysisConfigValidator.MaxRandomDraws}, not {drawCount}");
            var options = new GridOptions { KValues = parse.GetRequiredValue(ks), MinimalSetMargin = parse.GetValue(margin), Control = control, RandomDraws = drawCount };
            var result = CliProgress.Run(cli, parse, progress =>
            {
                var context = new PluginContext(choice.Kernels) { Progress = progress, Log = log, Cancellation = cts.Token, Seed = parse.GetValue(seed) };
                return ProbeRankingGrid.Run(options, data, rankers, probeList, context);
            });
            string outDir = parse.GetRequiredValue(output);
            var files = GridResultWriter.Write(result, outDir);
            foreach (var f in result.Failures)
                err.WriteLine($"FAILED {NeuronHost.Core.Plugins.LoadedPlugin.KindToText(f.Kind)} '{f.Plugin}': {f.Message}");
            if (result.Cancelled) err.WriteLine("cancelled; the finished rankings and grid cells are saved");
            int exitCode = result.Cancelled ? 130 : result.Failures.Count > 0 ? IsolationCliOptions.PluginFailuresExitCode : 0;
            if (cli.Json(parse)) { cli.Out(parse).WriteLine(GridResultWriter.Json(result)); return exitCode; }
            var summary = GridResultWriter.AsResults(result);
            summary.Identity = new RunIdentity
            {
                Model = model, Task = data.Task, Classes = [.. data.ClassNames], Neurons = data.Neurons.Count,
                TrainTokens = data.Train.Tokens, DevTokens = data.Dev?.Tokens ?? 0, TestTokens = data.Test?.Tokens ?? 0,
            };
            summary.Statistics = ResultsMapping.Statistics(result, options, parse.GetValue(seed));
            ResultsSummary.Write(cli.Console(parse), summary, outDir, reportPath: null);
            cli.Out(parse).WriteLine($"files: {string.Join(", ", files)}");
            return exitCode;
        });
        return command;
    }

    /// <summary>--param PLUGIN.NAME=VALUE → per plugin, its NAME → VALUE pairs; the plugin must be
    /// one of the command's rankings or probes.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, string>> PluginParameterValues(ParseResult parse, Option<string[]> option, string[] plugins)
    {
        var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in CliContext.ParameterValues(parse, option))
        {
            int dot = key.IndexOf('.');
            if (dot <= 0 || dot == key.Length - 1) throw new CliException($"--param '{key}={value}' is not PLUGIN.NAME=VALUE");
            string plugin = key[..dot];
            if (!plugins.Contains(plugin, StringComparer.OrdinalIgnoreCase))
                throw new CliException($"--param '{key}': '{plugin}' is not one of this command's rankings or probes ({string.Join(", ", plugins)})");
            if (!result.TryGetValue(plugin, out var values)) result[plugin] = values = new(StringComparer.OrdinalIgnoreCase);
            values[key[(dot + 1)..]] = value;
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>"a,b c" → a, b, c: list options take both separators.</summary>
    public static IEnumerable<string> Names(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Disposes what the command opened (stores, imports), in reverse order.</summary>
    private sealed class Disposables : IDisposable
    {
        private readonly List<IDisposable> items = [];
        public T Add<T>(T item) where T : IDisposable { items.Add(item); return item; }
        public void Dispose() { for (int i = items.Count - 1; i >= 0; i--) items[i].Dispose(); }
    }
}
