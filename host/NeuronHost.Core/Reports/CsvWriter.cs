using System.Globalization;
using System.Text;

namespace NeuronHost.Core.Reports;

/// <summary>RFC 4180 CSV with invariant numbers (round-trip precision), for spreadsheets and pandas.</summary>
public static class CsvWriter
{
    public static string Write(IReadOnlyList<string> columns, IEnumerable<IEnumerable<object?>> rows)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', columns.Select(Quote)).Append('\n');
        foreach (var row in rows) sb.AppendJoin(',', row.Select(Cell)).Append('\n');
        return sb.ToString();
    }

    public static string Cell(object? value) => value switch
    {
        null => "",
        double d => double.IsNaN(d) ? "NaN" : d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => Quote(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => Quote(value.ToString() ?? ""),
    };

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
