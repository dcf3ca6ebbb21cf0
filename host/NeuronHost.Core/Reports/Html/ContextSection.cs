namespace NeuronHost.Core.Reports.Html;

/// <summary>The best neurons of each ranking with the words that activate them most, in context.</summary>
internal static class ContextSection
{
    public static void Write(HtmlDoc doc, RunResults r)
    {
        if (r.TopNeuronContexts.Count == 0) return;
        doc.H2("Top neurons and their max-activating contexts", "neurons");
        foreach (var group in r.TopNeuronContexts.GroupBy(n => n.Ranking))
        {
            doc.Table(["rank", "neuron", "layer", "score", "max-activating words (activation)"],
                group.OrderBy(n => n.Rank).Select(n => (IReadOnlyList<string>)[n.Rank.ToString(), $"<code>{HtmlDoc.E(n.Neuron)}</code>",
                    n.Layer.ToString(), HtmlDoc.Num(n.Score, "G4"), Contexts(n)]),
                $"{group.Key}: top neurons", "contexts");
        }
    }

    private static string Contexts(NeuronContexts n) =>
        string.Join("<br>", n.Examples.Select(e =>
            $"<span class=\"ctx\">…{HtmlDoc.E(e.Left)} <mark>{HtmlDoc.E(e.Word)}</mark> {HtmlDoc.E(e.Right)}…</span> " +
            $"<span class=\"act\">{HtmlDoc.Num(e.Activation, "F2")}{(e.Label is null ? "" : " · " + HtmlDoc.E(e.Label))}</span>"));
}
