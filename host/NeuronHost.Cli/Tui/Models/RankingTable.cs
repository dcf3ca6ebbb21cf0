using System.Globalization;
using NeuronHost.Core.Reports;

namespace NeuronHost.Cli.Tui.Models;

/// <summary>The rows of the Results view's rankings table: one per ranked neuron, named in the
/// hook-point naming used everywhere (<c>blocks.2.mlp.hook_post[526]</c>), sortable by any column.</summary>
public sealed class RankingTable(RankingResult ranking)
{
    public static readonly string[] Columns = ["rank", "neuron", "layer", "score"];

    public RankingResult Ranking { get; } = ranking;
    public int SortColumn { get; private set; }
    public bool Descending { get; private set; }
    public IReadOnlyList<RankedNeuronResult> Rows { get; private set; } = ranking.Neurons.OrderBy(n => n.Rank).ToList();

    /// <summary>Sorts by a column; sorting by the same column again reverses the order.</summary>
    public void SortBy(int column)
    {
        Descending = column == SortColumn ? !Descending : column == 3;
        SortColumn = column;
        IEnumerable<RankedNeuronResult> rows = Ranking.Neurons;
        Func<RankedNeuronResult, IComparable> key = column switch
        {
            1 => n => (n.HookPoint, n.Index),
            2 => n => (n.Layer, n.Rank),
            3 => n => n.Score,
            _ => n => n.Rank,
        };
        Rows = (Descending ? rows.OrderByDescending(key) : rows.OrderBy(key)).ThenBy(n => n.Rank).ToList();
    }

    /// <summary>Column titles with ▲/▼ on the sorted one.</summary>
    public IReadOnlyList<string> Titles() =>
        Columns.Select((c, i) => i == SortColumn ? c + (Descending ? " ▼" : " ▲") : c).ToList();

    public static string Cell(RankedNeuronResult n, int column) => column switch
    {
        0 => n.Rank.ToString(CultureInfo.InvariantCulture),
        1 => n.Neuron,
        2 => n.Layer.ToString(CultureInfo.InvariantCulture),
        _ => n.Score.ToString("G4", CultureInfo.InvariantCulture),
    };
}
