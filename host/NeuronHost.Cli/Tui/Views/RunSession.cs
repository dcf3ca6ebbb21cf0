using NeuronHost.Cli.Commands.Cluster;
using NeuronHost.Cli.Tui.Models;
using NeuronHost.Cluster.Client;
using NeuronHost.Core.Config;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Plugins;
using NeuronHost.Core.Reports;
using NeuronHost.Sdk;
using Terminal.Gui.App;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>One analysis run behind the Run view: the pipeline on a worker thread (the same
/// <see cref="AnalysisPipeline"/> the batch <c>run</c> uses), a timer that redraws the view five
/// times a second, and cancellation. Finishing, cancelling or failing is reported once, on the
/// UI thread. A cluster run (a connected <see cref="ClusterRun"/>) extracts on the silos and
/// adds the per-silo panel, fed by the cluster stage's shard tables; the session disconnects when
/// the run ends.</summary>
public sealed class RunSession
{
    private readonly IApplication app;
    private readonly AnalysisPipeline pipeline;
    private readonly ProgressTracker tracker = new();
    private readonly CancellationTokenSource cancellation = new();
    private readonly IReadOnlyList<string> stages;
    private readonly ClusterRun? cluster;
    private readonly ClusterPanel clusterPanel = new();
    private volatile ClusterProgress? clusterProgress;
    private object? timer;

    public RunView View { get; }
    public AnalysisConfig Config { get; }
    public bool Running { get; private set; }

    /// <summary>Raised on the UI thread with the results (complete or cancelled).</summary>
    public event Action<RunResults>? Finished;
    /// <summary>Raised on the UI thread with the one-line error of a failed run.</summary>
    public event Action<string>? Failed;

    public RunSession(IApplication app, PluginCatalog plugins, AnalysisConfig config, ClusterRun? cluster = null)
    {
        this.app = app;
        Config = config;
        this.cluster = cluster;
        pipeline = new AnalysisPipeline(plugins);
        if (cluster is not null)
        {
            pipeline.Extract = cluster.Stage;
            cluster.Stage.SiloProgress += p => clusterProgress = p;   // drawn by the redraw timer
        }
        stages = AnalysisPipeline.StageNames(config);
        View = new RunView(stages, $"{config.Task.Name} in {Path.GetFileName(config.ModelDir.TrimEnd('/'))}");
        View.CancelButton.Accepting += (_, e) => { Cancel(); e.Handled = true; };
    }

    public void Start()
    {
        Running = true;
        timer = app.AddTimeout(TimeSpan.FromMilliseconds(200), () => { Redraw(); return Running; });
        var progress = new CallbackProgress<ProgressReport>(r => tracker.Update(r));
        Task.Run(() =>
        {
            try
            {
                var results = pipeline.Run(Config, progress, cancellation.Token);
                app.Invoke(() => End(() => Finished?.Invoke(results)));
            }
            catch (Exception e) when (e is PipelineException or ConfigException or IOException or UnauthorizedAccessException or PluginException)
            {
                app.Invoke(() => End(() => Failed?.Invoke(e.Message)));
            }
            catch (OperationCanceledException)
            {
                app.Invoke(() => End(() => Failed?.Invoke("cancelled before anything finished")));
            }
            catch (Exception e)
            {
                // A bug, not bad input: still the TUI's to show, never a process exit.
                app.Invoke(() => End(() => Failed?.Invoke($"{e.Message} (unexpected; run it with neuronhost run --verbose to see where)")));
            }
            finally { cluster?.Dispose(); }
        });
    }

    /// <summary>Asks the pipeline to stop; it writes what finished with status "cancelled".</summary>
    public void Cancel()
    {
        if (!Running || cancellation.IsCancellationRequested) return;
        cancellation.Cancel();
        Redraw();
    }

    private void End(Action report)
    {
        Running = false;
        if (timer is not null) app.RemoveTimeout(timer);
        Redraw();
        report();
    }

    private void Redraw()
    {
        string status = cancellation.IsCancellationRequested ? "cancelling… finished results will be kept"
            : Running ? "running · Ctrl+C or Cancel stops and keeps finished results" : "finished";
        View.Update(StageLine.From(stages, tracker.Snapshot(), 3), pipeline.Log.Lines, status);
        if (clusterProgress is { } p)
        {
            clusterPanel.Update(p, DateTime.Now);
            View.UpdateCluster(clusterPanel);
        }
    }
}
