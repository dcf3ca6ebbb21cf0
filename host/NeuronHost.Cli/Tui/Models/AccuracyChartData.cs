using NeuronHost.Core.Reports;

namespace NeuronHost.Cli.Tui.Models;

/// <summary>What the accuracy-vs-k chart draws for one probe: each ranking's top-k test accuracy,
/// the same neurons on the control task, and the horizontal lines to judge them against (the
/// majority-class baseline and the probe on all neurons).</summary>
public sealed record AccuracyChartData(
    string Probe,
    IReadOnlyList<AccuracyChartData.Series> Rankings,
    IReadOnlyList<AccuracyChartData.Series> Controls,
    double? MajorityBaseline,
    double? AllNeurons)
{
    public sealed record Series(string Name, IReadOnlyList<(int K, double Accuracy)> Points);

    public static IReadOnlyList<string> Probes(RunResults r) => r.Accuracy.Select(a => a.Probe).Distinct().ToList();

    public static AccuracyChartData For(RunResults r, string probe)
    {
        var top = r.Accuracy.Where(a => a.Probe == probe && a.Selection == Selection.Top).ToList();
        var names = top.Select(a => a.Ranking).Distinct().ToList();
        Series Make(string name, string suffix, Func<AccuracyPoint, double?> value) =>
            new(name + suffix, top.Where(a => a.Ranking == name && value(a).HasValue).OrderBy(a => a.K).Select(a => (a.K, value(a)!.Value)).ToList());
        var oracle = r.Oracle.FirstOrDefault(o => o.Probe == probe);
        return new AccuracyChartData(probe,
            names.Select(n => Make(n, "", a => a.TestAccuracy)).ToList(),
            names.Select(n => Make(n, " control", a => a.ControlAccuracy)).Where(s => s.Points.Count > 0).ToList(),
            oracle?.MajorityBaseline, oracle?.TestAccuracy);
    }

    public int MaxK => Rankings.Concat(Controls).SelectMany(s => s.Points).Select(p => p.K).DefaultIfEmpty(1).Max();
}
