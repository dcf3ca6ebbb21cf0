using System.Collections.ObjectModel;
using NeuronHost.Cli.Tui.Models;
using NeuronHost.Core.Reports;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>The rankings tab: the rankings on the left, the chosen one's neurons as a sortable
/// table on the right (s or a header click sorts; Enter or a double click opens a neuron).</summary>
public sealed class RankingsTab : View
{
    private readonly List<RankingTable> tables;
    private readonly ListView names = new() { X = 0, Y = 0, Width = 18, Height = Dim.Fill() };
    private readonly TableView table = new() { X = 19, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(), FullRowSelect = true };

    public RankingTable Current { get; private set; }
    public event Action<string, RankedNeuronResult>? NeuronOpened;

    public RankingsTab(RunResults results)
    {
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;
        tables = results.Rankings.Select(r => new RankingTable(r)).ToList();
        Current = tables.FirstOrDefault() ?? new RankingTable(new RankingResult { Name = "(none)" });
        names.SetSource(new ObservableCollection<string>(tables.Select(t => t.Ranking.Name)));
        names.ValueChanged += (_, _) => { if (names.SelectedItem is int i && i < tables.Count) Show(tables[i]); };
        table.Accepting += (_, e) => { OpenCursorNeuron(); e.Handled = true; };
        table.Activating += (_, e) =>
        {
            if (e.Context?.Binding is not MouseBinding { MouseEvent: { } mouse } || mouse.Position is not { } at) return;
            if (table.ScreenToCell(at, out int? headerColumn) is null && headerColumn is int c) { Current.SortBy(c); Show(Current); }
        };
        Add(names, table);
        if (tables.Count > 0) names.SelectedItem = 0;
        Show(Current);
        table.SetFocus();
    }

    private void Show(RankingTable t)
    {
        Current = t;
        table.Table = new TextTableSource(t.Titles(), t.Rows.Select(n => (IReadOnlyList<string>)Enumerable.Range(0, RankingTable.Columns.Length).Select(c => RankingTable.Cell(n, c)).ToList()).ToList());
        table.SetNeedsDraw();
    }

    /// <summary>s: sort by the next column (rank → score → layer → neuron); S: reverse the order.</summary>
    public void SortNext(bool reverse)
    {
        int[] cycle = [0, 3, 2, 1];
        Current.SortBy(reverse ? Current.SortColumn : cycle[(Array.IndexOf(cycle, Current.SortColumn) + 1) % cycle.Length]);
        Show(Current);
    }

    public void OpenCursorNeuron()
    {
        int row = table.Value?.SelectedCell.Y ?? -1;
        if (row >= 0 && row < Current.Rows.Count) NeuronOpened?.Invoke(Current.Ranking.Name, Current.Rows[row]);
    }
}
