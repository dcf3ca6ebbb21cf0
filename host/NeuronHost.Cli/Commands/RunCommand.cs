using System.CommandLine;
using NeuronHost.Cli.Commands.Cluster;
using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;

namespace NeuronHost.Cli.Commands;

/// <summary><c>neuronhost run analysis.yaml [--out DIR] [--json]</c>: the batch mode. Progress
/// and the log go to standard error as plain lines; the summary (a table, or JSON with --json)
/// to standard output. Plugins run in worker processes (see <see cref="IsolationCliOptions"/>); a
/// failed plugin is recorded and the run goes on (exit code 4). Ctrl+C stops at once (running
/// workers are killed) and writes the finished results (exit code 130).</summary>
public sealed class RunCommand : ICliCommand
{
    public Command Build(CliContext cli)
    {
        var file = new Argument<string>("CONFIG") { Description = "analysis.yaml (the TUI saves one; see docs in the report)" };
        var outOption = new Option<string?>("--out") { Description = "Write the results here instead of the config's output folder", HelpName = "DIR" };
        var cluster = new Option<string?>("--cluster") { Description = "Extract on a NeuronHost cluster (silos started with 'neuronhost cluster silo'); same YAML, same results folder; overrides the YAML's cluster:", HelpName = "redis://HOST:PORT" };
        var clusterRows = new Option<string?>("--cluster-rows") { Description = "On a cluster, when no plugin needs the rows in one place: 'silos' (they stay there; the default) or 'coordinator' (copied into this machine's store, for later runs without the cluster); overrides the YAML's cluster-rows:", HelpName = "silos|coordinator" };
        var shardBatches = new Option<int?>("--shard-batches") { Description = $"On a cluster: batches of sentences per shard; overrides the YAML's shard-batches: (default {ClusterRun.DefaultShardBatches})", HelpName = "N" };
        var isolation = new IsolationCliOptions();
        var backend = BackendOption.Create();
        var command = new Command("run", "Run an analysis from a YAML config: extraction, rankings, probe × ranking grid, interventions, report. "
            + IsolationCliOptions.ExitCodesHelp);
        command.Add(file);
        command.Add(outOption);
        command.Add(cluster);
        command.Add(shardBatches);
        command.Add(clusterRows);
        command.Add(backend);
        isolation.AddTo(command);
        command.SetAction(parse => Run(cli, parse, parse.GetRequiredValue(file), parse.GetValue(outOption), parse.GetValue(backend), isolation,
            parse.GetValue(cluster), parse.GetValue(shardBatches), parse.GetValue(clusterRows)));
        return command;
    }

    private static int Run(CliContext cli, ParseResult parse, string path, string? outDir, string? backend, IsolationCliOptions isolation,
        string? clusterAddress, int? shardBatches, string? clusterRows)
    {
        if (clusterRows is not (null or AnalysisConfig.RowsOnSilos or AnalysisConfig.RowsToCoordinator))
            throw new CliException($"--cluster-rows '{clusterRows}': write {AnalysisConfig.RowsOnSilos} or {AnalysisConfig.RowsToCoordinator}");
        using var catalog = cli.LoadPlugins(parse);
        AnalysisConfig config;
        try
        {
            config = AnalysisYaml.Load(path);
            if (outDir is not null) config.OutputDir = Path.GetFullPath(outDir);
            if (backend is not null) config.Backend = backend;
            if (clusterRows is not null) config.ClusterRows = clusterRows;
        }
        catch (ConfigException e) { throw new CliException(AnalysisConfigValidator.AllProblems(e, PluginDirectory.FromCatalog(catalog)).Message, e); }

        var pipeline = new AnalysisPipeline(catalog) { Isolation = isolation.Read(parse, config.Backend) };
        // --cluster overrides the YAML's cluster:; with neither the run stays on this machine.
        clusterAddress = ClusterRun.AddressFor(config, clusterAddress);
        using var cluster = clusterAddress is null ? null : ClusterRun.Connect(clusterAddress, ClusterRun.ShardBatchesFor(config, shardBatches));
        if (cluster is not null) pipeline.Extract = cluster.Stage;
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        RunResults results;
        try
        {
            results = CliProgress.Run(cli, parse, (progress, log) =>
            {
                pipeline.Log.Written += (level, message) => log(level == LogLevel.Warn ? $"warning: {message}" : message);
                return pipeline.Run(config, progress, cts.Token);
            });
        }
        catch (Exception e) when (e is ConfigException or PipelineException) { throw new CliException(e.Message, e); }
        finally { Console.CancelKeyPress -= onCancel; }

        if (cli.Json(parse)) cli.WriteJson(parse, ResultsSummary.Json(results, config.OutputDir));
        else ResultsSummary.Write(cli.Console(parse), results, config.OutputDir);
        if (results.Status == RunStatus.Cancelled) return 130;
        return results.PluginFailures.Count > 0 ? IsolationCliOptions.PluginFailuresExitCode : 0;
    }
}
