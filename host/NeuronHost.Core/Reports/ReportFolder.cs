using NeuronHost.Data.Output;

namespace NeuronHost.Core.Reports;

/// <summary>Writes a run's folder (results.json, CSVs, report.html) atomically: everything goes
/// into "&lt;out&gt;.partial/" first and is renamed into place only when all files are written, so
/// a crash never leaves a folder that looks complete. Only a folder that is recognisably an
/// earlier run's output is ever replaced (see <see cref="OutputFolder"/>).</summary>
public static class ReportFolder
{
    public const string ResultsFile = "results.json";
    public const string ReportFile = "report.html";
    public const string Kind = "run";

    /// <summary>The files of a run folder written before the marker existed.</summary>
    public static bool IsRunFile(string name) =>
        name is ResultsFile or ReportFile || name.EndsWith(".csv", StringComparison.Ordinal);

    /// <summary>Throws <see cref="OutputFolderException"/> unless <paramref name="outDir"/> and its
    /// ".partial" sibling may be (re)placed by a run's results. Called before any work starts.</summary>
    public static void CheckTarget(string outDir)
    {
        outDir = OutputFolder.FullPath(outDir);
        OutputFolder.Check(outDir, Kind, IsRunFile);
        OutputFolder.Check(outDir + ".partial", Kind, IsRunFile);
    }

    /// <param name="reportBudget">longest the HTML rendering may take (a cancelled run, which must
    /// exit within seconds); past it a short report.html says how to render the full one
    /// (<c>neuronhost report DIR</c>) from the results.json written here. Null: no limit.</param>
    public static void Write(RunResults results, string outDir, TimeSpan? reportBudget = null)
    {
        outDir = OutputFolder.FullPath(outDir);
        CheckTarget(outDir); // again: the folders may have changed while the analysis ran
        string partial = outDir + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        try
        {
            OutputFolder.WriteMarker(partial, Kind);
            foreach (var (name, content) in ResultsCsv.Tables(results))
                File.WriteAllText(Path.Combine(partial, name), content);
            // The results first, the report (the slow part: ~1.7 s on a loaded machine, mostly
            // compiling the renderer) last; the folder appears only when all are written.
            File.WriteAllText(Path.Combine(partial, ResultsFile), ResultsJson.Serialize(results));
            File.WriteAllText(Path.Combine(partial, ReportFile), RenderWithin(results, outDir, reportBudget));
        }
        catch
        {
            TryDelete(partial);
            throw;
        }
        // Swap into place; an older run's folder (checked above to be ours) is moved aside first
        // and removed after.
        string? old = null;
        if (Directory.Exists(outDir))
        {
            old = outDir + ".old-" + Guid.NewGuid().ToString("N")[..8];
            Directory.Move(outDir, old);
        }
        Directory.Move(partial, outDir);
        if (old is not null) TryDelete(old);
    }

    private static string RenderWithin(RunResults results, string outDir, TimeSpan? budget)
    {
        if (budget is null) return HtmlReport.Render(results);
        var render = Task.Run(() => HtmlReport.Render(results));
        try
        {
            if (render.Wait(budget.Value)) return render.Result;
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        // The unfinished rendering is abandoned (a background thread; the process is exiting).
        return ShortReport(results, outDir);
    }

    /// <summary>The report of a run whose full rendering did not fit its time budget.</summary>
    internal static string ShortReport(RunResults results, string outDir)
    {
        string E(string? text) => System.Net.WebUtility.HtmlEncode(text ?? "");
        return $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>NeuronHost run: {E(results.Status)}</title></head>
            <body>
            <h1>NeuronHost run: {E(results.Status)}</h1>
            <p>{E(results.StatusMessage)}</p>
            <p>The finished results are in <code>{ResultsFile}</code> and the CSV files beside this page. This
            short page was written instead of the full report so that the run could stop at once; write the
            full report with <code>neuronhost report {E(outDir)}</code>.</p>
            </body></html>

            """;
    }

    /// <summary>Writes <paramref name="dir"/>/report.html again from its results.json (atomically:
    /// a temporary file renamed over the old report). Only a run folder NeuronHost wrote is
    /// touched; anything else is one <see cref="InvalidDataException"/> naming the folder or file.</summary>
    public static string Rerender(string dir)
    {
        string full = OutputFolder.FullPath(dir);
        string results = Path.Combine(full, ResultsFile);
        if (!File.Exists(results)) throw new InvalidDataException($"'{dir}' has no {ResultsFile}: not a finished NeuronHost run folder");
        if (!OutputFolder.IsOwnOutput(full, Kind, IsRunFile))
            throw new InvalidDataException($"'{dir}' is not a NeuronHost run folder (no {OutputFolder.MarkerFile}); its report is left alone");
        var run = ResultsJson.Load(results); // a malformed file: InvalidDataException naming it
        string target = Path.Combine(full, ReportFile), temp = target + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(temp, HtmlReport.Render(run));
        File.Move(temp, target, overwrite: true);
        return target;
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
