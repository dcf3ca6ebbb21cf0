using NeuronHost.Core.Reports.Html;

namespace NeuronHost.Core.Reports;

/// <summary>report.html: one self-contained file (inline CSS and SVG, no scripts, no external
/// fonts or images) that reads like a short paper about the run.</summary>
public static class HtmlReport
{
    private const string Css = """
        body{font-family:"DejaVu Sans","Helvetica Neue",Helvetica,Arial,sans-serif;color:#222;max-width:1240px;margin:24px auto;padding:0 20px;line-height:1.45;background:#fff}
        h1{font-size:1.55em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}h3{font-size:1.05em;margin-top:1.4em}
        .sub{color:#555;margin-top:0}.banner{padding:10px 14px;border-radius:4px;background:#fff3cd;border:1px solid #e0c36a}.banner.failed{background:#f8d7da;border-color:#d9a2a8}
        table{border-collapse:collapse;margin:10px 0 18px;font-size:.88em}caption{caption-side:top;text-align:left;color:#444;padding-bottom:4px;font-style:italic}
        th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}th{border-bottom:2px solid #555;font-weight:600}
        td code{font-size:.95em}figure{margin:14px 0 26px}figcaption{font-size:.88em;color:#333;max-width:900px;margin-top:4px}
        .multiples{display:flex;flex-wrap:wrap;gap:8px 14px}svg.plot{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif}
        mark{background:#ffe8a3;padding:0 2px}.ctx{color:#333}.act{color:#777;font-size:.9em}table.contexts td:last-child{max-width:760px}
        nav a{margin-right:14px}details pre{background:#f6f6f6;padding:10px;overflow:auto}
        details{margin:8px 0 14px}details>summary{cursor:pointer;color:#0b4f8a}
        .scroll{max-height:460px;overflow:auto;display:inline-block;max-width:100%;border:1px solid #ddd;margin:10px 0 18px}.scroll table{margin:0}
        .scroll thead th{position:sticky;top:0;background:#fff;z-index:1}
        ul.story li{margin:6px 0;max-width:980px}ul.caveats li{margin:6px 0;max-width:980px;color:#7a4b00}
        table.summary td:first-child{max-width:620px}.act code{font-size:.9em}
        """;

    public static string Render(RunResults r)
    {
        // Numbers in sentences and plots read the same on every machine (1,234.5, never 1.234,5).
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        try { return RenderInvariant(r); }
        finally { System.Globalization.CultureInfo.CurrentCulture = culture; }
    }

    private static string RenderInvariant(RunResults r)
    {
        var id = r.Identity;
        var doc = new HtmlDoc();
        string title = $"NeuronHost report: {(id.Task.Length > 0 ? id.Task : "analysis")} in {(id.Model.Length > 0 ? id.Model : "a model")}";
        doc.Raw($"<h1>{HtmlDoc.E(title)}</h1>\n");
        doc.Raw($"<p class=\"sub\">{HtmlDoc.E(Describe(id))}</p>\n");
        if (r.Status != RunStatus.Complete)
            doc.Raw($"<p class=\"banner {r.Status}\"><b>This run is {HtmlDoc.E(r.Status)}.</b> {HtmlDoc.E(r.StatusMessage ?? "")} Only the stages that finished are shown.</p>\n");
        doc.Raw(Nav(r));
        StorySection.Write(doc, r);
        if (r.PluginFailures.Count > 0)
        {
            doc.H2("Plugin failures", "plugin-failures");
            doc.P($"{r.PluginFailures.Count} plugin(s) failed; the run went on without them and their results are missing below.");
            doc.Table(["plugin", "kind", "reason"], r.PluginFailures.Select(f => (IReadOnlyList<string>)[HtmlDoc.E(f.Plugin), HtmlDoc.E(f.Kind), HtmlDoc.E(f.Reason)]), cssClass: "compact");
        }

        AccuracySection.Write(doc, r);
        InterventionSection.Write(doc, r);
        RankingSection.Write(doc, r);
        LayerSection.Write(doc, r);
        ContextSection.Write(doc, r);

        doc.H2("Run", "run");
        doc.Table(["", ""], IdentityRows(r), cssClass: "compact");

        if (r.Timings.Count > 0)
        {
            doc.H2("Timings", "timings");
            doc.Table(["stage", "seconds"], r.Timings.Select(t => (IReadOnlyList<string>)[HtmlDoc.E(t.Stage), HtmlDoc.Num(t.Seconds, "F2")]), cssClass: "compact");
        }
        if (!string.IsNullOrWhiteSpace(r.ConfigYaml))
            doc.Raw($"<details><summary>analysis.yaml (reproduces this run with <code>neuronhost run</code>)</summary><pre>{HtmlDoc.E(r.ConfigYaml)}</pre></details>\n");

        return $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{HtmlDoc.E(title)}</title><style>{Css}</style></head>\n<body>\n{doc}</body></html>\n";
    }

    private static string Describe(RunIdentity id)
    {
        var parts = new List<string>();
        if (id.Corpus.Length > 0) parts.Add($"corpus {Path.GetFileName(id.Corpus)}");
        if (id.HookPoints.Count > 0) parts.Add($"{id.HookPoints.Count} hook point(s), {id.Neurons} neurons");
        long tokens = id.TrainTokens + id.DevTokens + id.TestTokens;
        if (tokens > 0) parts.Add($"{tokens:N0} words");
        if (id.Classes.Count > 0) parts.Add($"{id.Classes.Count} classes");
        return string.Join(" · ", parts);
    }

    private static string Nav(RunResults r)
    {
        var links = new List<string>();
        if (r.Accuracy.Count > 0 || r.Oracle.Count > 0 || r.Interventions.Count > 0) links.Add("<a href=\"#story\">What this run shows</a>");
        if (r.Accuracy.Count > 0 || r.Oracle.Count > 0) links.Add("<a href=\"#accuracy\">Probe × ranking</a>");
        if (r.Interventions.Count > 0) links.Add("<a href=\"#interventions\">Interventions</a>");
        if (r.Rankings.Any(k => k.Neurons.Count > 0)) links.Add("<a href=\"#rankings\">Rankings</a>");
        if (r.Rankings.Count > 0 || r.MinimalSets.Count > 0) links.Add("<a href=\"#layers\">Layers</a>");
        if (r.TopNeuronContexts.Count > 0) links.Add("<a href=\"#neurons\">Top neurons</a>");
        links.Add("<a href=\"#run\">Run</a>");
        return $"<nav>{string.Join("", links)}</nav>\n";
    }

    private static IEnumerable<IReadOnlyList<string>> IdentityRows(RunResults r)
    {
        var id = r.Identity;
        (string, string)[] rows =
        [
            ("model", $"{id.Model} {(id.ModelFamily.Length > 0 ? $"({id.ModelFamily})" : "")}"),
            ("model identity", id.ModelIdentity),
            ("corpus", $"{id.Corpus} {(id.CorpusFormat.Length > 0 ? $"({id.CorpusFormat})" : "")}"),
            ("task", id.Task),
            ("classes", string.Join(", ", id.Classes)),
            ("hook points", string.Join(", ", id.HookPoints)),
            ("aggregation", id.Aggregation),
            ("LM input", id.LmInput),
            ("words train / dev / test", id.TrainTokens + id.DevTokens + id.TestTokens > 0 ? $"{id.TrainTokens:N0} / {id.DevTokens:N0} / {id.TestTokens:N0}" : ""),
            ("neurons", id.Neurons > 0 ? id.Neurons.ToString("N0") : ""),
            ("backend", id.Backend),
            ("seed", id.Seed.ToString()),
            ("status", r.Status),
        ];
        return rows.Where(x => !string.IsNullOrWhiteSpace(x.Item2)).Select(x => (IReadOnlyList<string>)[HtmlDoc.E(x.Item1), HtmlDoc.E(x.Item2.Trim())]);
    }
}
