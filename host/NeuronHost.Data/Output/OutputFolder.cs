namespace NeuronHost.Data.Output;

/// <summary>The rule for folders NeuronHost writes results into: it only ever replaces a folder
/// that is recognisably its own earlier output (the marker file below, or — for folders written
/// before the marker existed — nothing but the files such an output holds). Anything else a
/// user points <c>--out</c> at is refused before any work starts, so a typo never costs a
/// thesis folder.</summary>
public static class OutputFolder
{
    /// <summary>Written into every output folder; its first line names the kind of output.</summary>
    public const string MarkerFile = ".neuronhost-output";

    /// <summary>The absolute form of an output folder's path without a trailing separator; the
    /// root stays the root (trimming "/" first once left "", and a crash instead of the refusal
    /// below). Empty or blank: <see cref="OutputFolderException"/>.</summary>
    public static string FullPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new OutputFolderException("no folder was given");
        if (path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            throw new OutputFolderException($"'{path.Replace("\0", "\\0")}' holds a character no path can (NUL)");
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
    }

    /// <summary>Why <paramref name="path"/> cannot receive an output of <paramref name="kind"/>,
    /// or null when it can (absent, empty, or an earlier output of the same kind).
    /// <paramref name="legacyFile"/> recognises the files of an unmarked earlier output.</summary>
    public static string? Problem(string path, string kind, Func<string, bool> legacyFile)
    {
        string full = FullPath(path);
        if (File.Exists(full)) return $"'{path}' is a file, not a folder";
        if (Path.GetPathRoot(full) == full) return $"'{path}' is the root of a file system";
        if (!Directory.Exists(full)) return ParentProblem(full, path);
        if (IsOwnOutput(full, kind, legacyFile)) return null;
        return $"'{path}' already exists and is not a NeuronHost {kind} folder (it has no {MarkerFile}); " +
               "choose a new folder — NeuronHost never replaces a folder it did not create";
    }

    /// <summary>Throws <see cref="OutputFolderException"/> when <see cref="Problem"/> finds one.</summary>
    public static void Check(string path, string kind, Func<string, bool> legacyFile)
    {
        if (Problem(path, kind, legacyFile) is { } problem) throw new OutputFolderException(problem);
    }

    /// <summary>True for an empty folder, a folder carrying our marker of this kind, or an
    /// unmarked folder holding only files <paramref name="legacyFile"/> accepts (no subfolders).</summary>
    public static bool IsOwnOutput(string dir, string kind, Func<string, bool> legacyFile)
    {
        string marker = Path.Combine(dir, MarkerFile);
        if (File.Exists(marker)) return MarkerKind(marker) == kind;
        if (Directory.EnumerateDirectories(dir).Any()) return false;
        var files = Directory.EnumerateFiles(dir).Select(Path.GetFileName).ToList();
        return files.Count == 0 || files.All(f => legacyFile(f!));
    }

    public static void WriteMarker(string dir, string kind) =>
        File.WriteAllText(Path.Combine(dir, MarkerFile),
            $"{kind}\nWritten by NeuronHost; a later run may replace this folder as a whole.\n");

    private static string? MarkerKind(string marker)
    {
        try
        {
            using var reader = new StreamReader(marker);
            var buffer = new char[64];
            int n = reader.ReadBlock(buffer, 0, buffer.Length);
            return new string(buffer, 0, n).Split('\n')[0].Trim();
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string? ParentProblem(string full, string path)
    {
        var parent = Path.GetDirectoryName(full);
        while (parent is not null && !Directory.Exists(parent))
        {
            if (File.Exists(parent)) return $"'{path}' cannot be created: '{parent}' is a file";
            parent = Path.GetDirectoryName(parent);
        }
        return null;
    }
}

/// <summary>An output folder NeuronHost must not write into (exists and is not its own, or is a file).</summary>
public sealed class OutputFolderException(string message) : IOException(message);
