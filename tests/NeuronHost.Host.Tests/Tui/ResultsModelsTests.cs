using NeuronHost.Cli.Tui.Models;
using NeuronHost.Core.Pipeline;
using NeuronHost.Core.Reports;
using NeuronHost.Sdk;

namespace NeuronHost.Host.Tests.Tui;

/// <summary>The Results view's tables and numbers without a terminal, against values worked out by hand.</summary>
public sealed class ResultsModelsTests
{
    private static RankingResult Ranking() => new()
    {
        Name = "probeless",
        Neurons =
        [
            new() { Rank = 1, HookPoint = "blocks.2.mlp.hook_post", Index = 526, Layer = 2, Score = 3.5 },
            new() { Rank = 2, HookPoint = "blocks.0.mlp.hook_post", Index = 7, Layer = 0, Score = 2.0 },
            new() { Rank = 3, HookPoint = "blocks.1.mlp.hook_post", Index = 90, Layer = 1, Score = 2.5 },
        ],
    };

    [Fact]
    public void NeuronsUseTheHookPointNamingAndSortByEveryColumn()
    {
        var t = new RankingTable(Ranking());
        Assert.Equal("blocks.2.mlp.hook_post[526]", RankingTable.Cell(t.Rows[0], 1));
        Assert.Equal(["rank ▲", "neuron", "layer", "score"], t.Titles());
        t.SortBy(3);
        Assert.Equal([1, 3, 2], t.Rows.Select(n => n.Rank));        // 3.5, 2.5, 2.0
        Assert.Equal("score ▼", t.Titles()[3]);
        t.SortBy(3);
        Assert.Equal([2, 3, 1], t.Rows.Select(n => n.Rank));
        t.SortBy(2);
        Assert.Equal([0, 1, 2], t.Rows.Select(n => n.Layer));
        t.SortBy(1);
        Assert.Equal(["blocks.0.mlp.hook_post[7]", "blocks.1.mlp.hook_post[90]", "blocks.2.mlp.hook_post[526]"], t.Rows.Select(n => n.Neuron));
    }

    [Fact]
    public void AccuracyChartHasEachRankingItsControlAndTheLinesToJudgeThem()
    {
        var r = new RunResults
        {
            Accuracy =
            [
                new() { Ranking = "probeless", Probe = "linear-probe", K = 10, TestAccuracy = 0.6, ControlAccuracy = 0.3 },
                new() { Ranking = "probeless", Probe = "linear-probe", K = 1, TestAccuracy = 0.4, ControlAccuracy = 0.2 },
                new() { Ranking = "probeless", Probe = "linear-probe", K = 1, Selection = Selection.Bottom, TestAccuracy = 0.1 },
                new() { Ranking = "random", Probe = "linear-probe", K = 1, TestAccuracy = 0.25 },
                new() { Ranking = "probeless", Probe = "gaussian-probe", K = 1, TestAccuracy = 0.9 },
            ],
            Oracle = [new() { Probe = "linear-probe", TestAccuracy = 0.85, MajorityBaseline = 0.17 }],
        };
        Assert.Equal(["linear-probe", "gaussian-probe"], AccuracyChartData.Probes(r));
        var d = AccuracyChartData.For(r, "linear-probe");
        Assert.Equal(["probeless", "random"], d.Rankings.Select(s => s.Name));
        Assert.Equal([(1, 0.4), (10, 0.6)], d.Rankings[0].Points);
        Assert.Equal("probeless control", Assert.Single(d.Controls).Name);
        Assert.Equal((0.17, 0.85), (d.MajorityBaseline, d.AllNeurons));
        Assert.Equal(10, d.MaxK);
    }

    [Fact]
    public void ClassMeansAreThePerLabelAveragesOfTheColumnAcrossBlocks()
    {
        // 5 rows × 2 columns in blocks of 2 rows; labels 0,1,0,1,0 → column 1 means: (1+5+9)/3, (3+7)/2.
        float[] data = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var m = new DenseActivationMatrix(data, 5, 2, "blocks.0.mlp.hook_post", rowsPerBlock: 2);
        var means = NeuronDetail.MeansByClass(m, new[] { 0, 1, 0, 1, 0 }, ["NOUN", "VERB", "ADJ"], 1);
        Assert.Equal([("NOUN", 5.0, 3L), ("VERB", 5.0, 2L)], means);
    }

    [Fact]
    public void StageLinesShowWaitingRunningAndDone()
    {
        var tracker = new ProgressTracker();
        tracker.Update(new ProgressReport("load model", 1, 1, "models"));
        tracker.Update(new ProgressReport("extract", 0, 400, "tokens"));
        tracker.Update(new ProgressReport("ablation", 1, 4, "settings"));
        var lines = StageLine.From(["load model", "extract", "build task"], tracker.Snapshot());
        Assert.Equal([StageState.Done, StageState.Running, StageState.Waiting, StageState.SubStep], lines.Select(l => l.State));
        Assert.StartsWith("1/1 models, done in", lines[0].Detail);
        Assert.StartsWith("0% 0/400 tokens", lines[1].Detail);
        Assert.Equal("waiting", lines[2].Detail);
        Assert.Equal(("  ablation", 0.25), (lines[3].Name, lines[3].Fraction));
    }
}
