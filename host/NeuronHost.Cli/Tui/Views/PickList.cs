using System.Collections.ObjectModel;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NeuronHost.Cli.Tui.Views;

/// <summary>A framed list of items that are either picked one at a time (the cursor picks: a
/// radio list; Space or Enter picks too) or ticked several at a time (Space, Enter or a click
/// ticks: a check list). The
/// owner supplies the items' text and state and hears about every change.</summary>
public sealed class PickList : FrameView
{
    private readonly ListView list = new() { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ObservableCollection<string> rows = [];
    private readonly bool multiple;
    private IReadOnlyList<string> names = [];
    private Func<int, bool> isOn = _ => false;
    private bool refreshing;

    /// <summary>Raised with the item's index when it is picked (radio) or toggled (check).</summary>
    public event Action<int>? Changed;
    /// <summary>Raised with the item's index when the cursor moves to it.</summary>
    public event Action<int>? Highlighted;

    public PickList(string title, bool multiple)
    {
        Title = title;
        this.multiple = multiple;
        CanFocus = true;
        list.SetSource(rows);
        list.ValueChanged += (_, _) =>
        {
            if (refreshing || list.SelectedItem is not int i) return;
            Highlighted?.Invoke(i);
            if (!multiple && !isOn(i)) Changed?.Invoke(i);
        };
        list.KeyDown += (_, key) =>
        {
            if ((key == Key.Space || key == Key.Enter) && list.SelectedItem is int i)
            {
                if (multiple || !isOn(i)) Changed?.Invoke(i);
                key.Handled = true;
            }
        };
        list.Activating += (_, e) =>
        {
            if (multiple && e.Context?.Binding is MouseBinding && list.SelectedItem is int i) Changed?.Invoke(i);
        };
        Add(list);
    }

    public int? CursorIndex => list.SelectedItem;
    public int Count => names.Count;

    /// <summary>Sets the items: their text and whether each is picked/ticked.</summary>
    public void SetItems(IReadOnlyList<string> items, Func<int, bool> on)
    {
        names = items;
        isOn = on;
        Refresh();
        if (list.SelectedItem is null && items.Count > 0)
        {
            int first = Enumerable.Range(0, items.Count).FirstOrDefault(on);
            Select(first);
        }
    }

    /// <summary>Redraws the marks after the owner changed a state.</summary>
    public void Refresh()
    {
        refreshing = true;
        try
        {
            int? cursor = list.SelectedItem;
            var text = names.Select((n, i) => (multiple ? (isOn(i) ? "[x] " : "[ ] ") : (isOn(i) ? "(•) " : "( ) ")) + n).ToList();
            if (text.Count == rows.Count)
            {
                for (int i = 0; i < text.Count; i++) if (rows[i] != text[i]) rows[i] = text[i];
            }
            else
            {
                rows.Clear();
                foreach (var t in text) rows.Add(t);
            }
            if (cursor is int c && c < rows.Count) list.SelectedItem = c;
        }
        finally { refreshing = false; }
        list.SetNeedsDraw();
    }

    public void Select(int index)
    {
        if (index < 0 || index >= rows.Count) return;
        refreshing = true;
        try { list.SelectedItem = index; }
        finally { refreshing = false; }
    }
}
