namespace NeuronHost.Core.Reports.Html;

/// <summary>The best neurons of each ranking with the words that activate them most, in context.</summary>
internal static class ContextSection
{
    public static void Write(HtmlDoc doc, RunResults r)
    {
        if (r.TopNeuronContexts.Count == 0 && r.Rankings.Count == 0) return;
        doc.H2("Top neurons and their max-activating contexts", "neurons");
        foreach (var group in r.TopNeuronContexts.GroupBy(n => n.Ranking))
        {
            doc.Table(["rank", "neuron", "layer", "score", "max-activating words (activation)"],
                group.OrderBy(n => n.Rank).Select(n => (IReadOnlyList<string>)[n.Rank.ToString(), $"<code>{HtmlDoc.E(n.Neuron)}</code>",
                    n.Layer.ToString(), HtmlDoc.Num(n.Score, "G4"), Contexts(n)]),
                $"{group.Key}: top neurons", "contexts");
        }
        // Rankings without contexts: at least their top neurons.
        foreach (var k in r.Rankings.Where(k => r.TopNeuronContexts.All(n => n.Ranking != k.Name) && k.Neurons.Count > 0))
            doc.Table(["rank", "neuron", "layer", "score"],
                k.Neurons.Take(15).Select(n => (IReadOnlyList<string>)[n.Rank.ToString(), $"<code>{HtmlDoc.E(n.Neuron)}</code>",
                    n.Layer.ToString(), HtmlDoc.Num(n.Score, "G4")]),
                $"{k.Name}: top {Math.Min(15, k.Neurons.Count)} of {k.Neurons.Count} neurons", "compact");
    }

    private static string Contexts(NeuronContexts n) =>
        string.Join("<br>", n.Examples.Select(e =>
            $"<span class=\"ctx\">…{HtmlDoc.E(e.Left)} <mark>{HtmlDoc.E(e.Word)}</mark> {HtmlDoc.E(e.Right)}…</span> " +
            $"<span class=\"act\">{HtmlDoc.Num(e.Activation, "F2")}{(e.Label is null ? "" : " · " + HtmlDoc.E(e.Label))}</span>"));
}
