namespace NeuronHost.Core.Reports.Svg;

/// <summary>One colour per series across the whole report (Okabe–Ito, readable by colour-blind
/// readers and in greyscale print), plus the neutral greys for baselines and axes.</summary>
public static class Palette
{
    private static readonly string[] Colors =
        ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];

    public const string Baseline = "#7f7f7f";
    public const string Axis = "#333333";
    public const string Grid = "#e6e6e6";
    public const string Text = "#222222";

    public static string Color(int index) => Colors[((index % Colors.Length) + Colors.Length) % Colors.Length];

    /// <summary>A stable colour for a named series (a ranking is the same colour in every plot).</summary>
    public static string ColorFor(string name, IReadOnlyList<string> allNames)
    {
        int i = -1;
        for (int j = 0; j < allNames.Count; j++) if (allNames[j] == name) { i = j; break; }
        return Color(i < 0 ? 0 : i);
    }

    public const string DashBaseline = "6,4";
    public const string Dotted = "2,3";
}
