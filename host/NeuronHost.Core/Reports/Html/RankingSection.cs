namespace NeuronHost.Core.Reports.Html;

/// <summary>Each ranking with what its score means, and its neurons as normalised ranks (1 = first,
/// 0 = last) so that rankings on incomparable score scales can be read side by side.</summary>
internal static class RankingSection
{
    private const int Overlap = 50;
    private const int Compared = 10;

    public static void Write(HtmlDoc doc, RunResults r)
    {
        var rankings = r.Rankings.Where(k => k.Neurons.Count > 0).ToList();
        if (rankings.Count == 0) return;
        doc.H2("Rankings: which neurons each method puts first", "rankings");
        doc.P("Scores are on each method's own scale (see “score means”); to compare methods, read the normalised rank: " +
              "1 for a ranking's first neuron, 0 for its last.");

        var positions = rankings.ToDictionary(k => k.Name, k => k.Neurons.GroupBy(n => n.Neuron).ToDictionary(g => g.Key, g => g.First().Rank));
        var header = new List<string> { "ranking", "neurons", "score means", "first / last score" };
        int overlap = Math.Min(Overlap, rankings.Min(k => k.Neurons.Count));
        if (rankings.Count > 1) header.Add($"top-{overlap} shared with");
        doc.Table(header, rankings.Select(k =>
        {
            var row = new List<string> { HtmlDoc.E(k.Name), k.Neurons.Count.ToString("N0"), HtmlDoc.E(RankingGlossary.ScoreMeaning(k)),
                $"{HtmlDoc.Num(k.Neurons[0].Score, "G4")} / {HtmlDoc.Num(k.Neurons[^1].Score, "G4")}" };
            if (rankings.Count > 1)
            {
                var mine = k.Neurons.Take(overlap).Select(n => n.Neuron).ToHashSet();
                row.Add(HtmlDoc.E(string.Join(", ", rankings.Where(o => o != k).Select(o =>
                    $"{o.Name}: {o.Neurons.Take(overlap).Count(n => mine.Contains(n.Neuron))}"))) +
                    $" <span class=\"act\">(random sets would share {overlap * (double)overlap / Math.Max(1, k.Neurons.Count):0.0})</span>");
            }
            return (IReadOnlyList<string>)row;
        }), "The rankings computed in this run.", "compact");

        if (rankings.Count > 1)
        {
            var union = rankings.SelectMany(k => k.Neurons.Take(Compared)).GroupBy(n => n.Neuron).Select(g => g.First()).ToList();
            var rows = union.Select(n => (Neuron: n, Ranks: rankings.Select(k => Normalised(positions[k.Name], n.Neuron, k.Neurons.Count)).ToList()))
                .OrderByDescending(x => x.Ranks.Where(v => v is not null).DefaultIfEmpty(0).Average()).ToList();
            var head = new List<string> { "neuron", "layer" };
            head.AddRange(rankings.Select(k => k.Name));
            doc.Table(head, rows.Select(x =>
            {
                var row = new List<string> { $"<code>{HtmlDoc.E(x.Neuron.Neuron)}</code>", x.Neuron.Layer.ToString() };
                row.AddRange(x.Ranks.Select((v, i) => RankCell(v, positions[rankings[i].Name].GetValueOrDefault(x.Neuron.Neuron))));
                return (IReadOnlyList<string>)row;
            }), $"The top {Compared} neurons of every ranking and their normalised rank (position) in each ranking; a neuron all methods agree on is near 1 everywhere.", "compact ranks");
        }

        foreach (var k in rankings)
        {
            var head = new List<string> { "rank", "neuron", "layer", "score", "normalised rank" };
            var others = rankings.Where(o => o != k).ToList();
            head.AddRange(others.Select(o => $"rank in {o.Name}"));
            string table = HtmlDoc.TableHtml(head, k.Neurons.Select(n =>
            {
                var row = new List<string> { n.Rank.ToString(), $"<code>{HtmlDoc.E(n.Neuron)}</code>", n.Layer.ToString(), HtmlDoc.Num(n.Score, "G4"),
                    HtmlDoc.Num(RankingGlossary.NormalisedRank(n.Rank, k.Neurons.Count)) };
                row.AddRange(others.Select(o => RankCell(Normalised(positions[o.Name], n.Neuron, o.Neurons.Count), positions[o.Name].GetValueOrDefault(n.Neuron))));
                return (IReadOnlyList<string>)row;
            }), null, "compact");
            doc.Details($"{k.Name}: all {k.Neurons.Count:N0} neurons in ranked order (rankings.csv)", table);
        }
    }

    private static double? Normalised(Dictionary<string, int> positions, string neuron, int count) =>
        positions.TryGetValue(neuron, out int rank) ? RankingGlossary.NormalisedRank(rank, count) : null;

    private static string RankCell(double? normalised, int rank) =>
        normalised is { } v ? $"{HtmlDoc.Num(v)} <span class=\"act\">(#{rank})</span>" : "–";
}
