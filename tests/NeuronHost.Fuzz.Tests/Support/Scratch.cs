namespace NeuronHost.Fuzz.Tests.Support;

/// <summary>A temporary folder for one case, removed afterwards.</summary>
public sealed class Scratch : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("nh-fuzz-").FullName;

    public string File(string name) => Path.Combine(Dir, name);

    /// <summary>A writable copy of the files of <paramref name="source"/> (not recursive; without the
    /// large reference.json) in a fresh subfolder.</summary>
    public string CopyFolder(string source, string name = "model")
    {
        string target = Path.Combine(Dir, name);
        Directory.CreateDirectory(target);
        foreach (var f in Directory.GetFiles(source).Where(f => Path.GetFileName(f) is not ("reference.json" or "README.md")))
        {
            string copy = Path.Combine(target, Path.GetFileName(f));
            System.IO.File.Copy(f, copy);
            System.IO.File.SetAttributes(copy, FileAttributes.Normal);
        }
        return target;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Deterministic byte- and text-level mutations (every case is reproducible from its seed).</summary>
public static class Mutate
{
    public static byte[] FlipBytes(byte[] data, Random rng, int start, int end, int count)
    {
        var copy = (byte[])data.Clone();
        for (int i = 0; i < count; i++) copy[rng.Next(start, end)] ^= (byte)rng.Next(1, 256);
        return copy;
    }

    public static byte[] Truncate(byte[] data, Random rng) => data[..rng.Next(0, data.Length)];

    public static byte[] InsertBytes(byte[] data, Random rng, int start, int end)
    {
        int at = rng.Next(start, end);
        var extra = new byte[rng.Next(1, 9)];
        rng.NextBytes(extra);
        return [.. data[..at], .. extra, .. data[at..]];
    }

    public static byte[] DeleteBytes(byte[] data, Random rng, int start, int end)
    {
        int at = rng.Next(start, end), n = Math.Min(rng.Next(1, 9), data.Length - at);
        return [.. data[..at], .. data[(at + n)..]];
    }

    /// <summary>Replaces one random character of a text with one of a set of troublemakers.</summary>
    public static string Text(string text, Random rng)
    {
        string[] junk = ["\0", "\u001b]0;pwned\u0007", "{", "}", "[", "]", "\"", ":", ",", "-1", "2147483647", "1e999", "NaN", "\uFFFD", "\n", "\t", "\\"];
        int at = rng.Next(0, text.Length + 1);
        int cut = Math.Min(rng.Next(0, 4), text.Length - at);
        return text[..at] + junk[rng.Next(junk.Length)] + text[(at + cut)..];
    }
}
