using System.Text.Json;
using NeuronHost.Core.Reports;
using NeuronHost.Core.Reports.Html;

namespace NeuronHost.Core.Reproduce;

/// <summary>The top of a reproduce folder: findings.json (the table with its intervals, for
/// machines), findings.csv and report.html (the table first, then links to each run's report).
/// Each file is written to a temporary name and renamed, so a crash never leaves half a file.</summary>
public static class ReproduceFolder
{
    public const string FindingsJson = "findings.json", FindingsCsv = "findings.csv";

    public static void Write(string outDir, ReproduceResult result)
    {
        Replace(Path.Combine(outDir, FindingsCsv), Csv(result.Findings));
        Replace(Path.Combine(outDir, ReportFolder.ReportFile), Html(result));
        Replace(Path.Combine(outDir, FindingsJson), JsonSerializer.Serialize(result, ResultsJson.Options));
    }

    public static ReproduceResult Load(string path) =>
        JsonSerializer.Deserialize<ReproduceResult>(File.ReadAllText(path), ResultsJson.Options)
        ?? throw new InvalidDataException($"{path} is empty");

    private static void Replace(string path, string content)
    {
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    private static string Csv(List<Finding> findings) =>
        CsvWriter.Write(["id", "finding", "paper", "claim", "effect", "verdict", "reason"],
            findings.Select(f => new object?[] { f.Id, f.Title, f.Paper, f.Claim, f.Effect, f.Verdict, f.Reason }));

    private static string Html(ReproduceResult r)
    {
        var doc = new HtmlDoc();
        doc.Raw("<h1>NeuronHost: the seed findings, reproduced</h1>\n");
        if (r.Status != RunStatus.Complete)
            doc.Raw($"<p class=\"banner\"><b>This reproduction is {HtmlDoc.E(r.Status)}.</b> Findings whose runs did not finish read \"cannot tell\".</p>\n");
        doc.H2("Findings", "findings");
        doc.P("A verdict holds only when every interval excludes its null on the paper's side; it does not hold when an interval excludes it on the other side; otherwise the data cannot tell.");
        doc.Table(["finding", "paper's claim", "our effect [95% interval]", "verdict", "why / caveat"],
            r.Findings.Select(f => (IReadOnlyList<string>)[
                $"({HtmlDoc.E(f.Id)}) {HtmlDoc.E(f.Title)}", $"{HtmlDoc.E(f.Claim)} <i>({HtmlDoc.E(f.Paper)})</i>",
                HtmlDoc.E(f.Effect), $"<b>{HtmlDoc.E(f.Verdict)}</b>", HtmlDoc.E(f.Reason)]));
        doc.H2("Runs", "runs");
        doc.Table(["run", "what it is for", "status", "report"],
            r.Runs.Select(x => (IReadOnlyList<string>)[HtmlDoc.E(x.Name), HtmlDoc.E(x.Purpose),
                HtmlDoc.E(x.Status + (x.Reason is { Length: > 0 } ? $" — {x.Reason}" : "")),
                x.Folder is null ? "" : $"<a href=\"{HtmlDoc.E(x.Folder.Replace('\\', '/'))}/report.html\">{HtmlDoc.E(x.Folder)}</a>"]));
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>NeuronHost reproduce</title>"
            + "<style>body{font-family:sans-serif;max-width:1240px;margin:24px auto;padding:0 20px;line-height:1.45}table{border-collapse:collapse;font-size:.9em}"
            + "th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}.banner{padding:10px;background:#fff3cd}</style></head>\n<body>\n"
            + doc + "</body></html>\n";
    }
}
