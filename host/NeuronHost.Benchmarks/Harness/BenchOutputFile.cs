namespace NeuronHost.Benchmarks.Harness;

/// <summary>The <c>--out</c> file of a bench command. Checked before anything is timed (a run
/// takes up to half an hour): its folder must exist, and it must be new or a document the same
/// command wrote before (recognised by its first line) — a file the tool did not write is never
/// overwritten. Written whole at the end through a temporary file beside it, so a failed write
/// leaves the previous document as it was.</summary>
internal static class BenchOutputFile
{
    /// <summary>Null when <paramref name="path"/> can be written; else one line saying why not.</summary>
    public static string? Problem(string path, string firstLine)
    {
        if (path.Length == 0 || path.Contains('\0')) return "--out: give a file name";
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return $"--out {path}: {e.Message}"; }
        if (Directory.Exists(full)) return $"--out {path}: is a folder; give a file name";
        string? folder = Path.GetDirectoryName(full);
        if (folder is null || !Directory.Exists(folder)) return $"--out {path}: the folder {folder} does not exist";
        if (!File.Exists(full)) return null;
        string first;
        try
        {
            using var reader = new StreamReader(full);
            first = reader.ReadLine() ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"--out {path}: cannot be read to check what it is ({e.Message})"; }
        return first.StartsWith(firstLine, StringComparison.Ordinal) ? null
            : $"--out {path}: the file exists and this command did not write it (its first line is not \"{firstLine}…\"); not overwriting it";
    }

    public static void Write(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string temporary = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
