using System.Globalization;
using System.Text.Json;

namespace NeuronHost.Core.Reports;

/// <summary>An intervention table with <c>ranking</c>, <c>selection</c> and <c>k</c> columns (as
/// ablation and translation write them) read as: per ranking and k, the effect on the top-k, the
/// random-k and the bottom-k neurons. Random-k may be several draws — several random rows for
/// one ranking and k, or one row with <c>&lt;column&gt;_sd</c> and an interval in
/// <c>&lt;column&gt;_low/_high</c>, <c>_ci_low/_ci_high</c> or <c>_lo/_hi</c> — and becomes a
/// <see cref="Spread"/> either way.</summary>
public sealed class InterventionSelections
{
    /// <summary>The column read as "the effect", in order of preference.</summary>
    private static readonly string[] PrimaryColumns = ["delta", "mean_logodds_shift", "preference_flip_rate", "flipped_top1_rate"];

    public required TableData Table { get; init; }
    public required string Column { get; init; }
    /// <summary>The value of a text <c>metric</c> column (e.g. lm_nll), if the table has one.</summary>
    public string? Metric { get; init; }
    public required List<Cell> Cells { get; init; }

    public sealed record Cell(string Ranking, int K, double? Top, Spread? Random, double? Bottom);

    public static InterventionSelections? Of(TableData t, string? column = null)
    {
        int ranking = t.ColumnIndex("ranking"), selection = t.ColumnIndex("selection"), k = t.ColumnIndex("k");
        if (ranking < 0 || selection < 0 || k < 0 || t.Rows.Count == 0) return null;
        column ??= PrimaryColumns.FirstOrDefault(c => t.ColumnIndex(c) >= 0 && t.Rows.Any(r => IsFinite(r[t.ColumnIndex(c)])));
        if (column is null) return null;
        int value = t.ColumnIndex(column);
        if (value < 0) return null;
        int metric = t.ColumnIndex("metric");
        int sd = First(t, $"{column}_sd", $"{column}_std"), lo = First(t, $"{column}_ci_low", $"{column}_low", $"{column}_lo"),
            hi = First(t, $"{column}_ci_high", $"{column}_high", $"{column}_hi"), draws = First(t, "draws", "random_draws", "n_draws");
        var cells = new List<Cell>();
        foreach (var g in t.Rows.GroupBy(r => (Ranking: Text(r[ranking]), K: (int)Math.Round(Num(r[k]) ?? -1))).Where(g => g.Key.K >= 0))
        {
            double? Pick(string sel) => g.Where(r => Text(r[selection]) == sel).Select(r => Num(r[value])).FirstOrDefault(v => v is not null);
            var randomRows = g.Where(r => Text(r[selection]) == Selection.Random).ToList();
            Spread? random = null;
            if (randomRows.Count == 1 && Num(randomRows[0][value]) is { } mean && (sd >= 0 || (lo >= 0 && hi >= 0)))
            {
                var row = randomRows[0];
                int n = draws >= 0 && Num(row[draws]) is { } d ? (int)d : 0;
                random = Spread.FromInterval(mean, sd >= 0 ? Num(row[sd]) : null, lo >= 0 ? Num(row[lo]) : null, hi >= 0 ? Num(row[hi]) : null, n);
            }
            else random = Spread.Of(randomRows.Select(r => Num(r[value])).Where(v => v is not null).Select(v => v!.Value));
            cells.Add(new Cell(g.Key.Ranking, g.Key.K, Pick(Selection.Top), random, Pick(Selection.Bottom)));
        }
        if (cells.Count == 0) return null;
        return new InterventionSelections { Table = t, Column = column, Metric = metric >= 0 ? Text(t.Rows[0][metric]) : null, Cells = cells };
    }

    private static int First(TableData t, params string[] names) =>
        names.Select(t.ColumnIndex).FirstOrDefault(i => i >= 0, -1);

    public static bool IsFinite(object? cell) => Num(cell) is { } d && double.IsFinite(d);

    /// <summary>A cell as a number: .NET numbers, or JSON numbers after a results.json round trip.</summary>
    public static double? Num(object? cell) => cell switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        // results.json stores non-finite cells as text ("NaN", "Infinity"): still numbers, just not finite.
        string s when s is "NaN" or "Infinity" or "-Infinity" => double.Parse(s, CultureInfo.InvariantCulture),
        _ => null,
    };

    public static string Text(object? cell) => cell switch
    {
        null => "",
        JsonElement e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.ToString(),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "",
    };
}
