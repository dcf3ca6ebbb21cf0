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
        outDir = Path.GetFullPath(outDir.TrimEnd('/', '\\'));
        OutputFolder.Check(outDir, Kind, IsRunFile);
        OutputFolder.Check(outDir + ".partial", Kind, IsRunFile);
    }

    public static void Write(RunResults results, string outDir)
    {
        outDir = Path.GetFullPath(outDir.TrimEnd('/', '\\'));
        CheckTarget(outDir); // again: the folders may have changed while the analysis ran
        string partial = outDir + ".partial";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        try
        {
            OutputFolder.WriteMarker(partial, Kind);
            foreach (var (name, content) in ResultsCsv.Tables(results))
                File.WriteAllText(Path.Combine(partial, name), content);
            File.WriteAllText(Path.Combine(partial, ReportFile), HtmlReport.Render(results));
            // results.json last: its presence marks a finished folder.
            File.WriteAllText(Path.Combine(partial, ResultsFile), ResultsJson.Serialize(results));
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

    /// <summary>Writes <paramref name="dir"/>/report.html again from its results.json (atomically:
    /// a temporary file renamed over the old report). Only a run folder NeuronHost wrote is
    /// touched; anything else is one <see cref="InvalidDataException"/> naming the folder or file.</summary>
    public static string Rerender(string dir)
    {
        string full = Path.GetFullPath(dir.TrimEnd('/', '\\'));
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
