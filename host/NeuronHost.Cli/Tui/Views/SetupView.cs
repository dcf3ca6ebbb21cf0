using NeuronHost.Cli.Tui.Models;
using NeuronHost.Core.Config;
using NeuronHost.Sdk;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>The Setup view: one screen of panes in any order (model, corpus, task, layers, hook
/// point, rankings, probes, interventions, options). Every edit re-checks the choices; the
/// problems line says why Run is refused, next to the Run button.</summary>
public sealed class SetupView : View
{
    private readonly SetupChoices choices;
    private readonly List<AssetChoice> models, corpora;
    private readonly PickList modelList = new("_Model", multiple: false) { X = 0, Y = 0, Width = Dim.Percent(38), Height = Dim.Percent(30) };
    private readonly PickList corpusList = new("_Corpus", multiple: false);
    private readonly PickList taskList = new("_Task", multiple: false);
    private readonly PickList layerList = new("_Layers", multiple: true);
    private readonly PickList hookList = new("_Hook", multiple: false);
    private readonly PickList rankingList = new("_Rankings", multiple: true);
    private readonly PickList probeList = new("_Probes", multiple: true);
    private readonly PickList interventionList = new("_Interventions", multiple: true);
    private readonly TextField kGrid = new() { Width = 14 };
    private readonly TextField sentences = new() { Width = 6 };
    private readonly TextField minClass = new() { Width = 4 };
    private readonly TextField output = new() { Width = Dim.Fill(34) };
    private readonly TextField cluster = new() { Width = 26 };
    private readonly TextField shardBatches = new() { Width = 4 };
    private readonly CheckBox keepRowsHere = new() { Text = "cluster: store every ro_w here" };
    private readonly Label about = PlainText.Of(new Label { X = 0, Y = 3, Width = Dim.Fill(), Height = 1, Text = "" });
    private readonly Label problemsLabel = PlainText.Of(new Label { X = 0, Y = 4, Width = Dim.Fill(), Height = Dim.Fill(1), Text = "" });
    public Button RunButton { get; } = new() { Text = "Run (F5)" };
    public Button SaveButton { get; } = new() { Text = "_Save yaml" };
    public Button LoadButton { get; } = new() { Text = "L_oad yaml" };
    public Button ParamsButton { get; } = new() { Text = "P_arameters (F4)" };

    /// <summary>Raised after every edit, with the current problems (empty: ready to run).</summary>
    public event Action<IReadOnlyList<SetupProblem>>? ProblemsChanged;

    public SetupView(SetupChoices choices, List<AssetChoice> models, List<AssetChoice> corpora)
    {
        this.choices = choices;
        this.models = models;
        this.corpora = corpora;
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;

        corpusList.X = Pos.Right(modelList); corpusList.Y = 0; corpusList.Width = Dim.Percent(38); corpusList.Height = Dim.Height(modelList);
        taskList.X = Pos.Right(corpusList); taskList.Y = 0; taskList.Width = Dim.Fill(); taskList.Height = Dim.Height(modelList);
        layerList.X = 0; layerList.Y = Pos.Bottom(modelList); layerList.Width = 10; layerList.Height = Dim.Percent(36);
        hookList.X = Pos.Right(layerList); hookList.Y = Pos.Top(layerList); hookList.Width = Dim.Percent(20); hookList.Height = Dim.Height(layerList);
        rankingList.X = Pos.Right(hookList); rankingList.Y = Pos.Top(layerList); rankingList.Width = Dim.Percent(23); rankingList.Height = Dim.Height(layerList);
        probeList.X = Pos.Right(rankingList); probeList.Y = Pos.Top(layerList); probeList.Width = Dim.Percent(23); probeList.Height = Dim.Height(layerList);
        interventionList.X = Pos.Right(probeList); interventionList.Y = Pos.Top(layerList); interventionList.Width = Dim.Fill(); interventionList.Height = Dim.Height(layerList);

        var options = new FrameView { Title = "Options", X = 0, Y = Pos.Bottom(layerList), Width = Dim.Fill(), Height = Dim.Fill() };
        var kLabel = new Label { Text = "_k grid:", X = 0, Y = 0 };
        kGrid.X = Pos.Right(kLabel) + 1;
        var sLabel = new Label { Text = "s_entences:", X = Pos.Right(kGrid) + 1, Y = 0 };
        sentences.X = Pos.Right(sLabel) + 1;
        var mLabel = new Label { Text = "min class:", X = Pos.Right(sentences) + 1, Y = 0 };
        minClass.X = Pos.Right(mLabel) + 1;
        var oLabel = new Label { Text = "o_utput:", X = 0, Y = 1 };
        output.X = Pos.Right(oLabel) + 1; output.Y = 1;
        var cLabel = new Label { Text = "Cluster Re_dis (empty = here):", X = 0, Y = 2 };
        cluster.X = Pos.Right(cLabel) + 1; cluster.Y = 2;
        var bLabel = new Label { Text = "_batches/shard:", X = Pos.Right(cluster) + 1, Y = 2 };
        shardBatches.X = Pos.Right(bLabel) + 1; shardBatches.Y = 2;
        // on the output line's right end, where 80 columns still show it (the cluster line is full)
        keepRowsHere.X = Pos.AnchorEnd(33); keepRowsHere.Y = 1;
        RunButton.X = 0; RunButton.Y = Pos.AnchorEnd(1);
        ParamsButton.X = Pos.Right(RunButton) + 1; ParamsButton.Y = Pos.AnchorEnd(1);
        SaveButton.X = Pos.Right(ParamsButton) + 1; SaveButton.Y = Pos.AnchorEnd(1);
        LoadButton.X = Pos.Right(SaveButton) + 1; LoadButton.Y = Pos.AnchorEnd(1);
        options.Add(kLabel, kGrid, sLabel, sentences, mLabel, minClass, oLabel, output, cLabel, cluster, bLabel, shardBatches, keepRowsHere, about, problemsLabel, RunButton, ParamsButton, SaveButton, LoadButton);
        Add(modelList, corpusList, taskList, layerList, hookList, rankingList, probeList, interventionList, options);

        modelList.Changed += i => { choices.Model = models[i]; LayersChanged(); Edited(); };
        corpusList.Changed += i => { choices.Corpus = corpora[i]; Edited(); };
        taskList.Changed += i => { choices.Task = SetupChoices.Tasks[i]; Edited(); };
        hookList.Changed += i => { choices.Hook = SetupChoices.Hooks[i]; Edited(); };
        layerList.Changed += i => { choices.ToggleLayer(i); Edited(); };
        foreach (var (list, kind) in PluginLists())
        {
            list.Changed += i => { choices.Toggle(kind, choices.PluginsOf(kind)[i].Name); Edited(); };
            list.Highlighted += i => ShowAbout(choices.PluginsOf(kind)[i]);
            list.HasFocusChanged += (_, e) => { if (e.NewValue && list.CursorIndex is int i && i < list.Count) ShowAbout(choices.PluginsOf(kind)[i]); };
        }
        modelList.Highlighted += i => about.Text = models[i].Path;
        corpusList.Highlighted += i => about.Text = corpora[i].Path;
        kGrid.ValueChanged += (_, _) => { choices.KGrid = kGrid.Text; Edited(); };
        sentences.ValueChanged += (_, _) => { choices.Sentences = sentences.Text; Edited(); };
        minClass.ValueChanged += (_, _) => { choices.MinClassCount = minClass.Text; Edited(); };
        output.ValueChanged += (_, _) => { choices.Output = output.Text; Edited(); };
        cluster.ValueChanged += (_, _) => { choices.Cluster = cluster.Text; Edited(); };
        shardBatches.ValueChanged += (_, _) => { choices.ShardBatches = shardBatches.Text; Edited(); };
        keepRowsHere.ValueChanged += (_, e) => { choices.KeepRowsHere = e.NewValue == CheckState.Checked; Edited(); };
        ShowChoices();
    }

    private IEnumerable<(PickList List, PluginKind Kind)> PluginLists() =>
        [(rankingList, PluginKind.Ranking), (probeList, PluginKind.Probe), (interventionList, PluginKind.Intervention)];

    /// <summary>The plugin under the cursor in a plugin pane, with its kind; null elsewhere.</summary>
    public (PluginKind Kind, PluginDescriptor Plugin)? FocusedPlugin()
    {
        foreach (var (list, kind) in PluginLists())
            if (list.HasFocus && list.CursorIndex is int i && i < choices.PluginsOf(kind).Count) return (kind, choices.PluginsOf(kind)[i]);
        return null;
    }

    /// <summary>Puts every choice on screen (after construction or loading a YAML file).</summary>
    public void ShowChoices()
    {
        if (choices.Model is { } m && !models.Any(x => x.Path == m.Path)) models.Insert(0, m);
        if (choices.Corpus is { } c && !corpora.Any(x => x.Path == c.Path)) corpora.Insert(0, c);
        modelList.SetItems(models.Select(x => x.ToString()).ToList(), i => choices.Model?.Path == models[i].Path);
        corpusList.SetItems(corpora.Select(x => x.ToString()).ToList(), i => choices.Corpus?.Path == corpora[i].Path);
        taskList.SetItems(SetupChoices.Tasks, i => SetupChoices.Tasks[i] == choices.Task);
        hookList.SetItems(SetupChoices.Hooks, i => SetupChoices.Hooks[i] == choices.Hook);
        foreach (var (list, kind) in PluginLists())
            list.SetItems(choices.PluginsOf(kind).Select(p => p.Name).ToList(), i => choices.IsChosen(kind, choices.PluginsOf(kind)[i].Name));
        LayersChanged();
        kGrid.Text = choices.KGrid;
        sentences.Text = choices.Sentences;
        minClass.Text = choices.MinClassCount;
        output.Text = choices.Output;
        cluster.Text = choices.Cluster;
        shardBatches.Text = choices.ShardBatches;
        keepRowsHere.Value = choices.KeepRowsHere ? CheckState.Checked : CheckState.UnChecked;
        Edited();
    }

    private void LayersChanged()
    {
        int count = choices.Model is null ? 0 : AssetDiscovery.LayerCount(choices.Model.Path);
        if (count <= 0) count = Math.Max(4, choices.Layers.DefaultIfEmpty(-1).Max() + 1);
        choices.Layers.RemoveWhere(l => l >= count);
        layerList.SetItems(Enumerable.Range(0, count).Select(l => $"{l}").ToList(), i => choices.Layers.Contains(i));
    }

    private void ShowAbout(PluginDescriptor p)
    {
        var use = choices.Uses(p.Kind).FirstOrDefault(u => u.Plugin == p.Name);
        string settings = use is { Parameters.Count: > 0 } ? " [" + string.Join(", ", use.Parameters.Select(kv => $"{kv.Key}={kv.Value}")) + "]" : "";
        about.Text = $"{p.Name}: {p.Description}{settings}";
    }

    /// <summary>Re-checks the choices after an edit: marks, problems line, Run button.</summary>
    public void Edited()
    {
        foreach (var list in new[] { modelList, corpusList, taskList, layerList, hookList, rankingList, probeList, interventionList }) list.Refresh();
        var problems = choices.Problems();
        about.Visible = true;
        problemsLabel.Y = Pos.Bottom(about);
        problemsLabel.Text = problems.Count == 0 ? "Ready: F5 or Run starts the analysis." : "Run refused: " + string.Join("; ", problems);
        RunButton.Enabled = problems.Count == 0;
        ProblemsChanged?.Invoke(problems);
    }

    /// <summary>A line in place of the problems line until the next edit: connecting to a cluster,
    /// or why a run did not start (Run stays disabled while <paramref name="runEnabled"/> is false).</summary>
    public void ShowLine(string text, bool runEnabled)
    {
        // The plugin description's row too: a cluster error with its hint needs three rows at 80 columns.
        about.Visible = false;
        problemsLabel.Y = Pos.Top(about);
        problemsLabel.Text = text;
        RunButton.Enabled = runEnabled;
    }
}
