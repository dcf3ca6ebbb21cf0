using System.Runtime.InteropServices;

namespace NeuronHost.Runtime.Files;

/// <summary>File names that one file (a store manifest, a safetensors index, a TF.js model.json)
/// gives for files beside it. Such a name is only trusted as a plain name inside the same folder:
/// no separators, no "..", not rooted, no control characters; and what it names, once symlinks
/// are followed, must be a file inside that folder. Nothing outside the folder is opened to check.</summary>
public static partial class FolderFile
{
    /// <summary>Why <paramref name="name"/> is not a plain file name, or null when it is one.</summary>
    public static string? NameProblem(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "an empty file name";
        if (name is "." or "..") return $"'{name}' is not a file name";
        if (name.IndexOfAny(['/', '\\']) >= 0 || Path.IsPathRooted(name))
            return $"'{Shown(name)}' is a path: only plain file names inside the folder are allowed (no folders, no '..', no absolute paths)";
        if (name.Any(char.IsControl)) return $"'{Shown(name)}' contains control characters";
        return null;
    }

    /// <summary>The path to read for <paramref name="name"/> inside <paramref name="folder"/> (for
    /// a symlink, its resolved target), and why it may not be read (null when it may): not a plain
    /// name, missing, not a file, or a symlink that leads outside the folder.</summary>
    public static (string Path, string? Problem) Locate(string folder, string? name)
    {
        if (NameProblem(name) is { } bad) return (folder, bad);
        string path = Path.Combine(folder, name!);
        if (Directory.Exists(path)) return (path, "a folder, not a file");
        if (!File.Exists(path))
            return (path, new FileInfo(path).LinkTarget is { } dangling ? $"a symlink to '{Shown(dangling)}', which does not exist" : "missing");
        if (new FileInfo(path).LinkTarget is null) return (path, null);
        string? real = RealPath(path), realFolder = RealPath(folder);
        if (real is null || realFolder is null) return (path, "a symlink that cannot be resolved");
        string inside = realFolder.EndsWith(Path.DirectorySeparatorChar) ? realFolder : realFolder + Path.DirectorySeparatorChar;
        return real.StartsWith(inside, StringComparison.Ordinal) ? (real, null)
            : (path, $"a symlink leading outside its folder (to '{Shown(real)}')");
    }

    /// <summary>The file's length when it is a plain name inside the folder, else the problem.</summary>
    public static (string Path, long Length, string? Problem) LocateWithLength(string folder, string? name)
    {
        var (path, problem) = Locate(folder, name);
        return problem is null ? (path, new FileInfo(path).Length, null) : (path, -1, problem);
    }

    /// <summary>A name cut to 80 characters with control characters escaped, for error messages.</summary>
    public static string Shown(string name)
    {
        var text = string.Concat(name.Take(80).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return name.Length > 80 ? text + $"… ({name.Length} characters)" : text;
    }

    /// <summary>The path with every symlink resolved (every component), or null.</summary>
    private static string? RealPath(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            var info = new FileInfo(path);
            return (info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true))?.FullName;
        }
        nint resolved = realpath(path, 0);
        if (resolved == 0) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { free(resolved); }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint realpath(string path, nint resolved);

    [LibraryImport("libc")]
    private static partial void free(nint pointer);
}
