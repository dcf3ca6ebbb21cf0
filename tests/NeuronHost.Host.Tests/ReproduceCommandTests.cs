using System.Diagnostics;
using System.Text.Json;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary><c>neuronhost reproduce</c> on gpt2-mini-brown + EWT at small sizes: the table has a
/// row per finding, and every interval and verdict is recomputed here from the runs' results.json
/// (raw JSON, closed forms written out below), so a verdict "holds" is only accepted when the
/// numbers in results.json put every interval on the claimed side of its null.</summary>
public sealed class ReproduceCommandTests
{
    private const double Z = 1.959963984540054;

    [SharedFact]
    public void Reproduce_table_rows_and_verdicts_follow_from_the_runs_results()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "nh-reproduce-" + Guid.NewGuid().ToString("N")[..8]);
        var clock = Stopwatch.StartNew();
        try
        {
            var r = InProcessCli.RunWithBuiltInPlugins("reproduce", "--model", SharedAssets.Model("gpt2-mini-brown"),
                "--corpus", SharedAssets.Corpus("ud-english-ewt"), "--out", outDir, "--sentences", "150", "--layers", "2", "3",
                "--ks", "10", "30", "--draws", "3", "--ablation-sentences", "15", "--translation-items", "40",
                "--number-min-class-count", "20", "--neg-neurons", "16");
            InProcessCli.Ok(r);
            var findings = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "findings.json"))).RootElement.GetProperty("findings").EnumerateArray().ToList();
            string[] ids = ["a", "b1", "b2", "c", "c", "c", "d1", "d2", "e1", "e2"];
            Assert.Equal(ids, findings.Select(f => f.GetProperty("id").GetString()));
            var easy = Results(outDir, "easy"); var hard = Results(outDir, "hard"); var number = Results(outDir, "number");

            foreach (var f in findings)
            {
                string id = f.GetProperty("id").GetString()!, verdict = f.GetProperty("verdict").GetString()!;
                var intervals = f.GetProperty("intervals").EnumerateArray().ToList();
                Assert.True(intervals.Count > 0, $"({id}) has no interval: {f.GetProperty("reason").GetString()}");
                // The stdout table prints the row with its verdict.
                Assert.Contains($"({id}) ", r.Out);
                Assert.Contains(verdict, r.Out);
                var expected = id switch
                {
                    "a" => RankingPair(easy, intervals),
                    "b1" or "b2" => Translation(number, id == "b1" ? "linear" : "gaussian"),
                    "c" => Ablation(easy, f.GetProperty("title").GetString()!),
                    "d1" => FractionGap(easy, hard),
                    "d2" => LayerShift(easy, hard),
                    "e1" => Linearity(number),
                    _ => NegVsNeurGrad(number),
                };
                Assert.Equal(expected.Count, intervals.Count);
                for (int i = 0; i < expected.Count; i++)
                {
                    var (est, lo, hi, nul, dir) = expected[i];
                    Assert.Equal(est, D(intervals[i], "estimate"), 9);
                    Assert.Equal(lo, D(intervals[i], "low95"), 9);
                    Assert.Equal(hi, D(intervals[i], "high95"), 9);
                    Assert.Equal(nul, D(intervals[i], "null"));
                    Assert.Equal(dir, intervals[i].GetProperty("direction").GetInt32());
                }
                // The verdict from the recomputed intervals: holds only when each excludes its null on the claimed side.
                var sides = expected.Select(e => e.Lo > e.Null ? e.Dir : e.Hi < e.Null ? -e.Dir : 0).ToList();
                string want = sides.All(s => s > 0) ? "holds" : sides.Any(s => s < 0) ? "does not hold" : "cannot tell";
                Assert.True(want == verdict, $"({id}) verdict '{verdict}', the intervals give '{want}'");
            }

            // report.html carries the same table first.
            string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
            Assert.True(html.IndexOf("id=\"findings\"", StringComparison.Ordinal) is var at && at > 0 && at < html.IndexOf("id=\"runs\"", StringComparison.Ordinal));
            Assert.Equal(findings.Count, html.Split("<b>holds</b>").Length - 1 + html.Split("<b>does not hold</b>").Length - 1 + html.Split("<b>cannot tell</b>").Length - 1);
            Assert.Equal("reproduce", File.ReadAllLines(Path.Combine(outDir, ".neuronhost-output"))[0]);
        }
        finally
        {
            Console.Error.WriteLine($"reproduce test: {clock.Elapsed.TotalSeconds:F0} s");
            if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public void Reproduce_refuses_a_folder_it_did_not_create_before_any_work()
    {
        string root = Path.Combine(Path.GetTempPath(), "nh-reproduce-refuse-" + Guid.NewGuid().ToString("N")[..8]);
        string thesis = Path.Combine(root, "thesis");
        Directory.CreateDirectory(thesis);
        File.WriteAllText(Path.Combine(thesis, "chapter1.tex"), "keep me");
        try
        {
            var r = InProcessCli.RunWithBuiltInPlugins("reproduce", "--model", root, "--corpus", root, "--out", thesis);
            Assert.Equal(1, r.Code);
            Assert.Contains("thesis", r.Err);
            Assert.Contains("never replaces a folder it did not create", r.Err);
            Assert.Equal(["chapter1.tex"], Directory.GetFiles(thesis).Select(Path.GetFileName));
            Assert.Equal("keep me", File.ReadAllText(Path.Combine(thesis, "chapter1.tex")));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>The skipped number run names every reason that applies: a sentence encoder on Brown
    /// lacks both the Number feature and an LM head, and the table must not blame the corpus alone.</summary>
    [Fact]
    public void Skipped_number_run_names_every_missing_piece()
    {
        string root = Path.Combine(Path.GetTempPath(), "nh-reproduce-plan-" + Guid.NewGuid().ToString("N")[..8]);
        string brown = Path.Combine(root, "brown"), ud = Path.Combine(root, "ud");
        Directory.CreateDirectory(brown);
        Directory.CreateDirectory(ud);
        File.WriteAllText(Path.Combine(brown, "ca01"), "The/at jury/nn ./.\n");
        File.WriteAllText(Path.Combine(ud, "x-ud-train.conllu"), "");
        try
        {
            string? Skip(string corpus, bool lm) => NeuronHost.Core.Reproduce.ReproducePlan
                .Make(new NeuronHost.Core.Reproduce.ReproduceOptions { ModelDir = root, CorpusPath = corpus }, new NeuronHost.Core.Reproduce.ModelKind("m", 2, lm))
                .Single(r => r.Name == "number").SkippedBecause;
            const string NoNumber = "the corpus has no Number feature", NoHead = "m is a sentence encoder without an LM head";
            var both = Skip(brown, lm: false)!;
            Assert.Contains(NoNumber, both);
            Assert.Contains(NoHead, both);
            Assert.Contains(NoNumber, Skip(brown, lm: true)!);
            Assert.DoesNotContain(NoHead, Skip(brown, lm: true)!);
            Assert.Contains(NoHead, Skip(ud, lm: false)!);
            Assert.DoesNotContain(NoNumber, Skip(ud, lm: false)!);
            Assert.Null(Skip(ud, lm: true));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>(d2)'s text puts each minimal set's layer counts beside its own task: the lists once
    /// came out easy-first after a "hard − easy" difference, so each read as the other task's.</summary>
    [Fact]
    public void Layer_counts_stand_beside_their_own_task()
    {
        static NeuronHost.Core.Reports.MinimalSetResult Set(int k, params int[] perLayer) => new()
        {
            K = k, Layers = perLayer.Select((c, l) => new NeuronHost.Core.Reports.LayerCount(l, c)).ToList(),
        };
        var upos = Set(5, 4, 1); var deprel = Set(7, 1, 6);
        var shift = NeuronHost.Core.Reproduce.FindingRules.LayerShift(upos, deprel);
        string text = NeuronHost.Core.Reproduce.FindingRules.LayerEffect("deprel", deprel, "upos", upos, shift);
        Assert.StartsWith("mean layer of the minimal set: deprel (k = 7, layers [L0: 1, L1: 6]) − upos (k = 5, layers [L0: 4, L1: 1]) = ", text);
        Assert.Equal(6.0 / 7 - 1.0 / 5, shift.Estimate, 12);
    }

    private readonly record struct Iv(double Est, double Lo, double Hi, double Null, int Dir);

    private static JsonElement Results(string outDir, string run) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "runs", run, "results.json"))).RootElement;

    private static double D(JsonElement e, string name) => e.GetProperty(name) is var v && v.ValueKind == JsonValueKind.String
        ? double.Parse(v.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : v.GetDouble();

    private static IEnumerable<JsonElement> Rows(JsonElement results, string method, string table, out Func<JsonElement, string, JsonElement> cell)
    {
        var t = results.GetProperty("interventions").EnumerateArray().Single(i => i.GetProperty("method").GetString() == method)
            .GetProperty("tables").EnumerateArray().Single(x => x.GetProperty("name").GetString() == table);
        var columns = t.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToList();
        cell = (row, name) => row[columns.IndexOf(name)];
        return t.GetProperty("rows").EnumerateArray().ToList();
    }

    // (a): the finding's labels name the pair and k; the two intervals are results.json's comparisons under each probe.
    private static List<Iv> RankingPair(JsonElement easy, List<JsonElement> shown)
    {
        var result = new List<Iv>();
        for (int i = 0; i < 2; i++)
        {
            string probe = i == 0 ? "linear-probe" : "gaussian-probe";
            string label = shown[i].GetProperty("label").GetString()!;          // "A − B, probe, k = K"
            var parts = label.Split(", ");
            var ab = parts[0].Split(" − ");
            int k = int.Parse(parts[2]["k = ".Length..]);
            var c = easy.GetProperty("comparisons").EnumerateArray().Single(x => x.GetProperty("kind").GetString() == "ranking_vs_ranking"
                && x.GetProperty("probe").GetString() == probe && x.GetProperty("a").GetString() == ab[0] && x.GetProperty("b").GetString() == ab[1] && x.GetProperty("k").GetInt32() == k);
            result.Add(new(D(c, "meanDifference"), D(c, "low95"), D(c, "high95"), 0, 0));
        }
        // The claim is a reversal: the probes' differences point opposite ways, the first as its estimate does.
        int dir = result[0].Est >= 0 ? 1 : -1;
        return [result[0] with { Dir = dir }, result[1] with { Dir = -dir }];
    }

    private static List<Iv> Translation(JsonElement number, string other)
    {
        var rows = Rows(number, "translation", "translation_comparisons", out var cell)
            .Where(r => cell(r, "comparison").GetString() == "ranking_vs_ranking"
                && new[] { cell(r, "ranking").GetString(), cell(r, "versus").GetString() }.Order().SequenceEqual(new[] { "probeless", other }.Order()))
            .OrderBy(r => cell(r, "k").GetDouble()).ToList();
        var row = rows[^1];
        double m = cell(row, "mean_difference").GetDouble(), lo = cell(row, "low95").GetDouble(), hi = cell(row, "high95").GetDouble();
        return cell(row, "ranking").GetString() == "probeless" ? [new(m, lo, hi, 0, 1)] : [new(-m, -hi, -lo, 0, 1)];
    }

    private static List<Iv> Ablation(JsonElement easy, string title)
    {
        string ranking = title[(title.IndexOf('(') + 1)..title.IndexOf(')')];
        var rows = Rows(easy, "ablation", "ablation_comparisons", out var cell).Where(r => cell(r, "ranking").GetString() == ranking).ToList();
        double k = rows.Max(r => cell(r, "k").GetDouble());
        return new[] { "top_vs_random", "top_vs_bottom" }.Select(kind => rows.Single(r => cell(r, "k").GetDouble() == k && cell(r, "comparison").GetString() == kind))
            .Select(r => new Iv(cell(r, "mean_difference").GetDouble(), cell(r, "low95").GetDouble(), cell(r, "high95").GetDouble(), 0, 1)).ToList();
    }

    // (d1): test accuracy / oracle of each task at the k where the easy task first reaches 95% of its oracle on dev.
    private static List<Iv> FractionGap(JsonElement easy, JsonElement hard)
    {
        JsonElement Oracle(JsonElement r) => r.GetProperty("oracle").EnumerateArray().Single(o => o.GetProperty("probe").GetString() == "linear-probe");
        Dictionary<int, JsonElement> Top(JsonElement r) => r.GetProperty("accuracy").EnumerateArray()
            .Where(p => p.GetProperty("ranking").GetString() == "linear" && p.GetProperty("probe").GetString() == "linear-probe" && p.GetProperty("selection").GetString() == "top")
            .ToDictionary(p => p.GetProperty("k").GetInt32());
        var te = Top(easy); var th = Top(hard);
        var ks = te.Keys.Intersect(th.Keys).Order().ToList();
        double oeDev = D(Oracle(easy), "devAccuracy"), oe = D(Oracle(easy), "testAccuracy"), oh = D(Oracle(hard), "testAccuracy");
        int k = ks.Where(k => D(te[k], "devAccuracy") >= 0.95 * oeDev).DefaultIfEmpty(ks[^1]).First();
        double pe = D(te[k], "testAccuracy"), ph = D(th[k], "testAccuracy");
        double ne = easy.GetProperty("identity").GetProperty("testTokens").GetDouble(), nh = hard.GetProperty("identity").GetProperty("testTokens").GetDouble();
        double gap = pe / oe - ph / oh, se = Math.Sqrt(pe * (1 - pe) / ne / (oe * oe) + ph * (1 - ph) / nh / (oh * oh));
        return [new(gap, gap - Z * se, gap + Z * se, 0, 1)];
    }

    // (d2): mean layer of the hard task's minimal set − the easy task's, Welch normal interval.
    private static List<Iv> LayerShift(JsonElement easy, JsonElement hard)
    {
        List<double> Layers(JsonElement r) => r.GetProperty("minimalSets").EnumerateArray()
            .Single(m => m.GetProperty("ranking").GetString() == "linear" && m.GetProperty("probe").GetString() == "linear-probe")
            .GetProperty("layers").EnumerateArray().SelectMany(l => Enumerable.Repeat((double)l.GetProperty("layer").GetInt32(), l.GetProperty("count").GetInt32())).ToList();
        static (double M, double V, int N) Mv(List<double> x) => (x.Average(), x.Sum(v => (v - x.Average()) * (v - x.Average())) / (x.Count - 1), x.Count);
        var e = Mv(Layers(easy)); var h = Mv(Layers(hard));
        double d = h.M - e.M, se = Math.Sqrt(e.V / e.N + h.V / h.N);
        return [new(d, d - Z * se, d + Z * se, 0, 1)];
    }

    // (e1): Wilson score interval of the fraction of neurons with |r| > 0.9, against one half.
    private static List<Iv> Linearity(JsonElement number)
    {
        var r = Rows(number, "neg", "neg", out var cell).Select(x => cell(x, "linearity_r").GetDouble()).ToList();
        double n = r.Count, p = r.Count(x => x > 0.9) / n, z2 = Z * Z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n), half = Z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return [new(p, Math.Max(0, centre - half), Math.Min(1, centre + half), 0.5, 1)];
    }

    // (e2): Pearson(NEG, NeurGrad) with Fisher's z interval, against 0.9.
    private static List<Iv> NegVsNeurGrad(JsonElement number)
    {
        var rows = Rows(number, "neg", "neg", out var cell).ToList();
        var x = rows.Select(r => cell(r, "neg").GetDouble()).ToArray(); var y = rows.Select(r => cell(r, "neurgrad").GetDouble()).ToArray();
        double mx = x.Average(), my = y.Average();
        double rho = x.Zip(y).Sum(t => (t.First - mx) * (t.Second - my)) / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
        double z = Math.Atanh(rho), h = Z / Math.Sqrt(x.Length - 3);
        return [new(rho, Math.Tanh(z - h), Math.Tanh(z + h), 0.9, 1)];
    }
}
