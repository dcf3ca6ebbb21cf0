using NeuronHost.Core.Reports.Svg;

namespace NeuronHost.Core.Reports.Html;

/// <summary>Where the selected neurons live: per ranking, the top neurons per layer, and the
/// minimal neuron sets (Durrani et al.).</summary>
internal static class LayerSection
{
    public static void Write(HtmlDoc doc, RunResults r)
    {
        if (r.Rankings.Count == 0 && r.MinimalSets.Count == 0) return;
        doc.H2("Layer distribution of selected neurons", "layers");
        var rankingNames = AccuracySection.RankingNames(r);

        if (r.MinimalSets.Count > 0)
        {
            doc.Table(["ranking", "probe", "minimal k", "accuracy", "oracle", "margin", "reached", "layers"],
                r.MinimalSets.Select(m => (IReadOnlyList<string>)[HtmlDoc.E(m.Ranking), HtmlDoc.E(m.Probe), m.Reached ? m.K.ToString() : "not reached",
                    m.Reached ? HtmlDoc.Num(m.Accuracy) : "–", HtmlDoc.Num(m.OracleAccuracy), HtmlDoc.Num(m.Margin), m.Reached ? "yes" : "no",
                    HtmlDoc.E(string.Join(", ", m.Layers.Select(l => $"L{l.Layer}: {l.Count}")))]),
                "Minimal neuron set: the smallest top-k whose probe comes within the margin of the all-neuron accuracy.");
            var reached = r.MinimalSets.Where(m => m.Reached).ToList();
            var layers = reached.SelectMany(m => m.Layers.Select(l => l.Layer)).Distinct().Order().ToList();
            if (layers.Count > 0)
            {
                var groups = reached.Select((m, i) => new BarGroup($"{m.Ranking} / {m.Probe}",
                    layers.Select(l => (double)(m.Layers.FirstOrDefault(x => x.Layer == l)?.Count ?? 0)).ToList(),
                    Palette.ColorFor(m.Ranking, rankingNames))).ToList();
                // Same ranking with several probes: vary by index so groups stay distinguishable.
                if (groups.Select(g => g.Color).Distinct().Count() < groups.Count)
                    groups = groups.Select((g, i) => g with { Color = Palette.Color(i) }).ToList();
                doc.Figure(BarChart.Render("Minimal neuron sets by layer", "layer", "neurons (count)",
                        layers.Select(l => $"L{l}").ToList(), groups, width: 760, height: 340),
                    "How many neurons of each minimal set come from each layer.");
            }
        }

        if (r.Rankings.Count > 0)
        {
            int top = TopCount(r);
            var layers = LayerDistribution.Layers(r.Rankings);
            var groups = r.Rankings.Where(k => k.Neurons.Count > 0)
                .Select(k => new BarGroup(k.Name, LayerDistribution.Count(k, top, layers).Select(c => (double)c).ToList(),
                    Palette.ColorFor(k.Name, rankingNames))).ToList();
            if (groups.Count > 0 && layers.Count > 0)
                doc.Figure(BarChart.Render($"Top-{top} neurons of each ranking by layer", "layer", "neurons (count)",
                        layers.Select(l => l < 0 ? "other" : $"L{l}").ToList(), groups, width: 760, height: 340),
                    $"Layer of the {top} best-ranked neurons of each ranking.");
        }
    }

    /// <summary>The top-N shown: the largest minimal set, else 50 (or fewer neurons).</summary>
    public static int TopCount(RunResults r)
    {
        int n = r.MinimalSets.Any(m => m.Reached) ? r.MinimalSets.Where(m => m.Reached).Max(m => m.K) : 50;
        int available = r.Rankings.Count == 0 ? n : r.Rankings.Max(k => k.Neurons.Count);
        return Math.Max(1, Math.Min(n, available));
    }
}

/// <summary>The report's choice of top-N, shared with the TUI.</summary>
public static class LayerSectionAccess
{
    public static int TopCount(RunResults r) => LayerSection.TopCount(r);
}
