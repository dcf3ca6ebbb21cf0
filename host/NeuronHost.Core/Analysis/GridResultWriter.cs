using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuronHost.Core.Analysis;

/// <summary>Writes a grid as files a person can open: grid.json (everything, with control
/// accuracy per split) and the same CSVs, with the same names and columns, that <c>run</c> writes
/// (accuracy.csv, rankings.csv, oracle.csv, minimal_sets.csv, minimal_set_layers.csv), so a script
/// reads the output of <c>rank</c> and of <c>run</c> alike.</summary>
public static class GridResultWriter
{
    public static IReadOnlyList<string> Write(GridResult result, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string> { WriteText(Path.Combine(directory, "grid.json"), Json(result)) };
        foreach (var (name, text) in Reports.ResultsCsv.Tables(AsResults(result)))
            files.Add(WriteText(Path.Combine(directory, name), text));
        return files;
    }

    /// <summary>The grid in the results model <c>run</c> writes and the summary reads.</summary>
    public static Reports.RunResults AsResults(GridResult result)
    {
        var results = new Reports.RunResults
        {
            Rankings = result.Rankings.Select(r => Pipeline.ResultsMapping.Ranking(r, r.Method, new Dictionary<string, string>())).ToList(),
        };
        Pipeline.ResultsMapping.AddGrid(results, result);
        return results;
    }

    private static string WriteText(string path, string text)
    {
        // write then rename, so an interrupted run never leaves a half file over a finished one
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    public static string Json(GridResult r)
    {
        var doc = new
        {
            task = r.Task,
            classes = r.ClassNames,
            majorityBaseline = Acc(r.MajorityBaseline),
            rankings = r.Rankings.Select(k => new
            {
                method = k.Method,
                neurons = k.Order.Select((n, i) => new { rank = i + 1, column = n.Column, hookPoint = n.Neuron.HookPoint, index = n.Neuron.Index, layer = n.Neuron.Layer, score = Num(n.Score) }),
            }),
            oracle = r.Oracles.Select(o => new { probe = o.Probe, task = Acc(o.Task), control = Acc(o.Control), selectivity = Num(o.Selectivity) }),
            cells = r.Cells.Select(c => new
            {
                ranking = c.Ranking, selection = c.Selection, probe = c.Probe, k = c.K,
                task = Acc(c.Task), control = Acc(c.Control), selectivity = Num(c.Selectivity),
            }),
            minimalSets = r.MinimalSets.Select(m => new
            {
                ranking = m.Ranking, probe = m.Probe, size = m.Size, accuracy = Num(m.Accuracy), oracleAccuracy = Num(m.OracleAccuracy),
                margin = m.Margin, layers = m.LayerCounts.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
                selectedOn = m.SelectedOn, selectionAccuracy = Num(m.SelectionAccuracy), oracleSelectionAccuracy = Num(m.OracleSelectionAccuracy),
                controlAccuracy = Num(m.ControlAccuracy), selectivity = Num(m.Selectivity), evaluatedK = m.Evaluated,
            }),
            oracleFractions = r.OracleFractions.Select(f => new
            {
                ranking = f.Ranking, probe = f.Probe, fraction = f.Fraction, k = f.K, selectedOn = f.SelectedOn,
                selectionAccuracy = Num(f.SelectionAccuracy), testAccuracy = Num(f.TestAccuracy),
            }),
            randomSeeds = r.RandomSeeds,
            randomBaselines = r.RandomBaselines.Select(b => new
            {
                probe = b.Probe, k = b.K, draws = b.HeldOut.N, mean = Num(b.HeldOut.Mean), sd = Num(b.HeldOut.Sd),
                low95 = Num(b.HeldOut.Low95), high95 = Num(b.HeldOut.High95),
                values = b.Draws.Select(x => new { draw = x.Draw, seed = x.Seed, task = Acc(x.Task), control = Acc(x.Control) }),
            }),
            comparisons = r.Comparisons.Select(c => new
            {
                kind = c.Kind, probe = c.Probe, k = c.K, a = c.A, b = c.B, items = c.Paired.N, meanDifference = Num(c.Paired.MeanDifference),
                low95 = Num(c.Paired.Low95), high95 = Num(c.Paired.High95), pValue = Num(c.Paired.PValue), drawPValue = Num(c.DrawPValue),
                distinguishable = c.Distinguishable(), seed = c.Paired.Seed,
            }),
            ties = r.Ties.Select(t => new { ranking = t.Ranking, tiedAtBottom = t.TiedAtBottom, bottomScore = Num(t.BottomScore), tiedAtTop = t.TiedAtTop }),
            status = r.Cancelled ? "cancelled" : r.Failures.Count > 0 ? "complete with plugin failures" : "complete",
            failures = r.Failures.Select(f => new { plugin = f.Plugin, kind = Plugins.LoadedPlugin.KindToText(f.Kind), message = f.Message }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never });
    }

    private static object Acc(SplitAccuracies a) => new { train = Num(a.Train), dev = Num(a.Dev), test = Num(a.Test) };
    private static double? Num(double v) => double.IsFinite(v) ? v : null;

    public static string AccuraciesCsv(GridResult r)
    {
        var sb = new StringBuilder("ranking,selection,probe,k,train,dev,test,control_train,control_dev,control_test,selectivity\n");
        foreach (var o in r.Oracles)
            Line(sb, "all", "all", o.Probe, "all", o.Task, o.Control, o.Selectivity);
        foreach (var c in r.Cells)
            Line(sb, c.Ranking, c.Selection, c.Probe, c.K.ToString(CultureInfo.InvariantCulture), c.Task, c.Control, c.Selectivity);
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, string ranking, string selection, string probe, string k, SplitAccuracies t, SplitAccuracies c, double sel) =>
        sb.AppendJoin(',', [Csv(ranking), Csv(selection), Csv(probe), k, F(t.Train), F(t.Dev), F(t.Test), F(c.Train), F(c.Dev), F(c.Test), F(sel)]).Append('\n');

    public static string RankingsCsv(GridResult r)
    {
        var sb = new StringBuilder("ranking,rank,column,hook_point,index,layer,score\n");
        foreach (var k in r.Rankings)
            for (int i = 0; i < k.Order.Count; i++)
            {
                var n = k.Order[i];
                sb.AppendJoin(',', [Csv(k.Method), (i + 1).ToString(CultureInfo.InvariantCulture), n.Column.ToString(CultureInfo.InvariantCulture),
                    Csv(n.Neuron.HookPoint), n.Neuron.Index.ToString(CultureInfo.InvariantCulture), n.Neuron.Layer.ToString(CultureInfo.InvariantCulture), F(n.Score)]).Append('\n');
            }
        return sb.ToString();
    }

    public static string MinimalCsv(GridResult r)
    {
        var sb = new StringBuilder("ranking,probe,size,accuracy,oracle_accuracy,margin,layers\n");
        foreach (var m in r.MinimalSets)
            sb.AppendJoin(',', [Csv(m.Ranking), Csv(m.Probe), m.Size.ToString(CultureInfo.InvariantCulture), F(m.Accuracy), F(m.OracleAccuracy), F(m.Margin),
                Csv(string.Join(' ', m.LayerCounts.Select(kv => $"{kv.Key}:{kv.Value}")))]).Append('\n');
        return sb.ToString();
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
