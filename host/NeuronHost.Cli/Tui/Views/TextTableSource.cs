using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>A <see cref="TableView"/> source over rows of text that are already formatted.</summary>
public sealed class TextTableSource(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows) : ITableSource
{
    public object this[int row, int col] => col < rows[row].Count ? rows[row][col] : "";
    public string[] ColumnNames { get; } = columns.ToArray();
    public int Columns => ColumnNames.Length;
    public int Rows => rows.Count;

    /// <summary>An intervention's table: numbers to 4 significant digits.</summary>
    public static TextTableSource From(NeuronHost.Core.Reports.TableData t) =>
        new(t.Columns, t.Rows.Select(r => (IReadOnlyList<string>)r.Select(Format).ToList()).ToList());

    private static string Format(object? v) => v switch
    {
        double d => d.ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
        System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } j => j.GetDouble().ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
        null => "",
        _ => v.ToString() ?? "",
    };
}
