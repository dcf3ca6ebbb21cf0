using System.Diagnostics;
using NeuronHost.Cli.Commands.Cluster;
using NeuronHost.Cli.Tui.Models;
using NeuronHost.Core.Config;
using NeuronHost.Core.Plugins;
using NeuronHost.Core.Reports;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>The application window: menu bar, the current view (Setup, Run or Results) and a
/// status bar with that view's keys. It moves between the views and owns the keys that work
/// everywhere; the views themselves only draw and edit.</summary>
public sealed class TuiShell : Runnable
{
    private readonly IApplication app;
    private readonly PluginCatalog catalog;
    private readonly SetupChoices choices;
    private readonly SetupView setup;
    private readonly View content = new() { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1), CanFocus = true };
    private readonly StatusBar status = new();
    private RunSession? run;
    /// <summary>Set while Run connects to a cluster (Redis, then the silos and their versions).</summary>
    private string? connecting;
    private ResultsView? results;
    private IReadOnlyList<SetupProblem> problems = [];

    public TuiShell(IApplication app, PluginCatalog catalog, List<AssetChoice> models, List<AssetChoice> corpora)
    {
        this.app = app;
        this.catalog = catalog;
        Title = "NeuronHost";
        Width = Dim.Fill();
        Height = Dim.Fill();
        choices = new SetupChoices(PluginDirectory.FromCatalog(catalog));
        setup = new SetupView(choices, models, corpora);
        setup.ProblemsChanged += p => { problems = p; if (run is null && results is null) ShowKeys(); };
        setup.RunButton.Accepting += (_, e) => { StartRun(); e.Handled = true; };
        setup.ParamsButton.Accepting += (_, e) => { EditParameters(); e.Handled = true; };
        setup.SaveButton.Accepting += (_, e) => { SaveYaml(); e.Handled = true; };
        setup.LoadButton.Accepting += (_, e) => { LoadYaml(); e.Handled = true; };
        Add(Menu(), content, status);
        app.Keyboard.KeyDown += OnKey;
        ShowSetup();
        if (catalog.Errors.Count > 0)
            app.Invoke(() => MessageBox.ErrorQuery(app, "Plugins not loaded", string.Join("\n", catalog.Errors.Select(e => e.Message)), "OK"));
    }

    private MenuBar Menu()
    {
        var menu = new MenuBar();
        menu.Add(new MenuBarItem("_File",
        [
            new MenuItem { Title = "_Load analysis.yaml…", Key = Key.O.WithCtrl, Action = LoadYaml },
            new MenuItem { Title = "_Save analysis.yaml…", Key = Key.S.WithCtrl, Action = SaveYaml },
            new MenuItem { Title = "Open _run folder…", Key = Key.R.WithCtrl, Action = OpenRunFolder },
            new MenuItem { Title = "Choose _model folder…", Action = BrowseModel },
            new MenuItem { Title = "Choose _corpus…", Action = BrowseCorpus },
            new MenuItem { Title = "_Quit", Key = Key.Q.WithCtrl, Action = Quit },
        ]));
        menu.Add(new MenuBarItem("_View",
        [
            new MenuItem { Title = "_Setup", Action = ShowSetup },
            new MenuItem { Title = "_Results", Action = () => { if (results is not null) Show(results); } },
        ]));
        menu.Add(new MenuBarItem("_Help", [new MenuItem { Title = "_Keys", Key = Key.F1, Action = ShowHelp }]));
        return menu;
    }

    private bool Idle => app.TopRunnableView == this;
    private bool Running => run is { Running: true };

    private void OnKey(object? sender, Key key)
    {
        if (!Idle) return;
        bool handled = true;
        if (key == Key.F1) ShowHelp();
        else if (key == Key.Q.WithCtrl) Quit();
        else if (key == Key.C.WithCtrl && Running) run!.Cancel();
        else if (Running) handled = key == Key.Esc;   // nothing else while running; Esc does not quit
        else if (key == Key.Esc) { if (results is not null && content.SubViews.Contains(results)) ShowSetup(); }
        else if (key == Key.O.WithCtrl) LoadYaml();
        else if (key == Key.S.WithCtrl) SaveYaml();
        else if (key == Key.R.WithCtrl) OpenRunFolder();
        else if (key == Key.F5 && content.SubViews.Contains(setup)) StartRun();
        else if (key == Key.F4 && content.SubViews.Contains(setup)) EditParameters();
        else if (results is not null && content.SubViews.Contains(results)) handled = ResultsKey(key);
        else handled = false;
        if (handled) key.Handled = true;
    }

    private bool ResultsKey(Key key)
    {
        if (key == Key.F6) results!.NextTab();
        else if (key == Key.S) results!.SortRankings(reverse: false);
        else if (key == Key.S.WithShift) results!.SortRankings(reverse: true);
        else if (key == Key.Enter && results!.RankingsShown) results.OpenNeuron();
        else if (key == Key.O) OpenReport();
        else if (key == Key.E) ExportTable();
        else return false;
        return true;
    }

    private void Show(View view)
    {
        foreach (var v in content.SubViews.ToList()) content.Remove(v);
        content.Add(view);
        view.SetFocus();
        ShowKeys();
    }

    private void ShowSetup()
    {
        Show(setup);
        setup.Edited();
    }

    /// <summary>The status bar: the keys of the view on screen (and why Run is refused).</summary>
    private void ShowKeys()
    {
        var keys = new List<Shortcut> { new(Key.F1, "Help", ShowHelp) };
        if (Running)
            keys.Add(new Shortcut(Key.C.WithCtrl, "Cancel", () => run?.Cancel()));
        else if (results is not null && content.SubViews.Contains(results))
        {
            keys.Add(new Shortcut(Key.Esc, "Setup", ShowSetup));
            keys.Add(new Shortcut(Key.F6, "Next tab", () => results.NextTab()));
            keys.Add(new Shortcut(Key.S, "Sort", () => results.SortRankings(false)));
            keys.Add(new Shortcut(Key.Enter, "Neuron", () => { }));
            keys.Add(new Shortcut(Key.O, "Report", OpenReport));
            keys.Add(new Shortcut(Key.E, "Export", ExportTable));
        }
        else
        {
            keys.Add(new Shortcut(Key.F5, "Run", StartRun, problems.Count == 0 ? "ready" : "refused: " + problems[0]));
            keys.Add(new Shortcut(Key.F4, "Params", EditParameters));
            keys.Add(new Shortcut(Key.S.WithCtrl, "Save", SaveYaml));
            keys.Add(new Shortcut(Key.O.WithCtrl, "Load", LoadYaml));
        }
        keys.Add(new Shortcut(Key.Q.WithCtrl, "Quit", Quit));
        foreach (var v in status.SubViews.ToList()) { status.Remove(v); v.Dispose(); }
        foreach (var k in keys) status.Add(k);
    }

    private void StartRun()
    {
        if (Running || connecting is not null) return;
        var now = choices.Problems();
        if (now.Count > 0)
        {
            MessageBox.ErrorQuery(app, "Run refused", string.Join("\n", now), "OK");
            return;
        }
        var config = choices.ToConfig(Environment.CurrentDirectory);
        if (config.Cluster is { } address) ConnectThenRun(config, address);
        else StartSession(config, null);
    }

    /// <summary>Connects off the UI thread (a cluster that does not answer takes seconds to say so);
    /// the run starts only once Redis and every silo answered, else one line says why in Setup.</summary>
    private void ConnectThenRun(AnalysisConfig config, string address)
    {
        connecting = address;
        setup.ShowLine($"Connecting to the cluster at {address}: Redis, then the silos and their versions…", runEnabled: false);
        Task.Run(() =>
        {
            ClusterRun? cluster = null;
            string? error = null;
            try { cluster = ClusterRun.Connect(address, ClusterRun.ShardBatchesFor(config, null)); }
            catch (CliException e) { error = e.Message; }
            catch (Exception e) { error = $"cluster {address}: {e.Message}"; }
            app.Invoke(() =>
            {
                connecting = null;
                if (cluster is not null && content.SubViews.Contains(setup)) StartSession(config, cluster);
                else
                {
                    cluster?.Dispose();
                    setup.ShowLine("Run not started: " + (error is null ? "Setup was left while connecting" : ClusterPanel.Brief(error)), runEnabled: true);
                }
            });
        });
    }

    private void StartSession(AnalysisConfig config, ClusterRun? cluster)
    {
        run = new RunSession(app, catalog, config, cluster);
        run.Finished += r =>
        {
            ShowResults(r, config.OutputDir);
            ShowKeys();
            if (r.Status == RunStatus.Cancelled)
                MessageBox.Query(app, "Cancelled", $"{r.StatusMessage}\nThe finished results are in {config.OutputDir}.", "OK");
        };
        run.Failed += message =>
        {
            run = null;
            MessageBox.ErrorQuery(app, "Run failed", message + "\n\nYour choices are kept: fix them and run again.", "OK");
            ShowSetup();
        };
        Show(run.View);
        run.Start();
        ShowKeys();
    }

    private void ShowResults(RunResults r, string folder)
    {
        results = new ResultsView(r, folder);
        results.NeuronOpened += (ranking, neuron) =>
        {
            using var dialog = new NeuronDialog(ranking, NeuronDetail.For(r, ranking, neuron));
            app.Run(dialog);
        };
        Show(results);
    }

    private void EditParameters()
    {
        if (setup.FocusedPlugin() is not { } focused)
        {
            MessageBox.Query(app, "Parameters", "Put the cursor on a plugin in Rankings, Probes or Interventions, then press F4.", "OK");
            return;
        }
        var (kind, plugin) = focused;
        if (!choices.IsChosen(kind, plugin.Name)) choices.Toggle(kind, plugin.Name);
        var use = choices.Uses(kind).First(u => u.Plugin == plugin.Name);
        using var dialog = new ParametersDialog(plugin, use);
        if (app.Run(dialog) is 1 && dialog.Apply(use) is { Count: > 0 } errors)
            MessageBox.ErrorQuery(app, "Parameters not kept", string.Join("\n", errors), "OK");
        setup.Edited();
    }

    private void SaveYaml()
    {
        if (PathPrompt.Ask(app, "Save analysis.yaml", "Save the choices as (run it later with: neuronhost run FILE)", "analysis.yaml") is not { } path) return;
        if (File.Exists(path) && MessageBox.Query(app, "Replace?", $"{path} exists. Replace it?", "No", "Yes") is not 1) return;
        try
        {
            File.WriteAllText(path, AnalysisYaml.Save(choices.ToConfig(Path.GetDirectoryName(path)!)));
            MessageBox.Query(app, "Saved", $"Saved {path}\nBatch mode: neuronhost run {Path.GetFileName(path)}", "OK");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            MessageBox.ErrorQuery(app, "Not saved", $"{path}: {e.Message}", "OK");
        }
    }

    private void LoadYaml()
    {
        if (PathPrompt.Ask(app, "Load analysis.yaml", "Load the choices from", "analysis.yaml") is not { } path) return;
        try
        {
            choices.Load(AnalysisYaml.Load(path));
            results = null;
            setup.ShowChoices();
            ShowSetup();
        }
        catch (ConfigException e) { MessageBox.ErrorQuery(app, "Not loaded", e.Message, "OK"); }
    }

    private void OpenRunFolder()
    {
        if (PathPrompt.Ask(app, "Open run folder", "Folder with a results.json (an earlier run's output)", choices.Output) is not { } folder) return;
        string file = Path.Combine(folder, ReportFolder.ResultsFile);
        try { ShowResults(ResultsJson.Load(file), folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
        {
            MessageBox.ErrorQuery(app, "Not opened", $"{file}: {e.Message}", "OK");
        }
    }

    private void BrowseModel()
    {
        using var dialog = new OpenDialog { Title = "Model folder (Hugging Face or TF.js)", OpenMode = OpenMode.Directory };
        app.Run(dialog);
        if (dialog.Canceled || string.IsNullOrEmpty(dialog.Path)) return;
        if (AssetDiscovery.ModelChoice(dialog.Path) is not { } model)
        {
            MessageBox.ErrorQuery(app, "Not a model folder", $"{dialog.Path}: no config.json (Hugging Face) nor model.json (TF.js)", "OK");
            return;
        }
        choices.Model = model;
        setup.ShowChoices();
    }

    private void BrowseCorpus()
    {
        using var dialog = new OpenDialog { Title = "Corpus (.conllu file, UD or Brown folder)", OpenMode = OpenMode.Mixed };
        app.Run(dialog);
        if (dialog.Canceled || string.IsNullOrEmpty(dialog.Path)) return;
        string path = dialog.Path;
        string format = Directory.Exists(path) && Directory.GetFiles(path, "*.conllu").Length == 0 ? "brown" : "conllu";
        choices.Corpus = AssetDiscovery.CorpusChoice(path, format);
        setup.ShowChoices();
    }

    private void OpenReport()
    {
        string report = Path.Combine(results!.Folder, ReportFolder.ReportFile);
        try
        {
            using var p = Process.Start(new ProcessStartInfo("xdg-open", [report]) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            MessageBox.Query(app, "Report", $"No browser opener (xdg-open) here. Open this file in a browser:\n{report}", "OK");
        }
    }

    private void ExportTable()
    {
        var table = results!.CurrentTable;
        string file = Path.Combine(results.Folder, $"{table.Ranking.Name}-sorted.csv");
        for (int i = 2; File.Exists(file); i++) file = Path.Combine(results.Folder, $"{table.Ranking.Name}-sorted-{i}.csv");
        try
        {
            var lines = table.Rows.Select(n => string.Join(",", Enumerable.Range(0, RankingTable.Columns.Length).Select(c => RankingTable.Cell(n, c))))
                .Prepend(string.Join(",", RankingTable.Columns));
            File.WriteAllLines(file, lines);
            MessageBox.Query(app, "Exported", $"{file}\n({table.Rows.Count} neurons, in the order shown)", "OK");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            MessageBox.ErrorQuery(app, "Not exported", $"{file}: {e.Message}", "OK");
        }
    }

    private void ShowHelp()
    {
        using var dialog = new HelpDialog();
        app.Run(dialog);
    }

    private void Quit()
    {
        run?.Cancel();
        app.RequestStop();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) app.Keyboard.KeyDown -= OnKey;
        base.Dispose(disposing);
    }
}
