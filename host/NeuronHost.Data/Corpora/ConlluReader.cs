using NeuronHost.Sdk;

namespace NeuronHost.Data.Corpora;

/// <summary>Reads CoNLL-U (Universal Dependencies): 10 tab-separated columns per word line;
/// <c># sent_id</c> and <c># text</c> comments; multiword-token ranges (<c>1-2</c>) kept as
/// surface tokens over their syntactic words; empty nodes (<c>8.1</c>) skipped. Malformed
/// lines throw <see cref="CorpusFormatException"/> naming the file and line.</summary>
public static class ConlluReader
{
    /// <summary>Reads the files as one corpus, one split per file (named train/dev/test when the
    /// file name contains "-train"/"-dev"/"-test"), ordered train, dev, test, then the rest.</summary>
    public static Corpus ReadCorpus(IReadOnlyList<string> files)
    {
        var named = files.Select(f => (File: f, Split: SplitNameOf(f)))
            .OrderBy(x => SplitRank(x.Split)).ThenBy(x => x.File, StringComparer.Ordinal).ToArray();
        if (named.Select(x => x.Split).Distinct().Count() != named.Length)
            throw new CorpusFormatException(files[0], 0, "two files map to the same split name: " +
                string.Join(", ", named.Select(x => $"{Path.GetFileName(x.File)}→{x.Split}")));
        var splits = named.Select(x => new CorpusSplit(x.Split, ReadFile(x.File))).ToArray();
        string name = CommonPrefix(named.Select(x => Path.GetFileNameWithoutExtension(x.File)).ToArray()).TrimEnd('-', '_', '.');
        return new Corpus(name.Length > 0 ? name : "conllu", "conllu", named.Select(x => x.File).ToArray(), splits);
    }

    public static string SplitNameOf(string file)
    {
        string name = Path.GetFileNameWithoutExtension(file).ToLowerInvariant();
        foreach (var split in new[] { "train", "dev", "test" })
            if (name.EndsWith("-" + split) || name.EndsWith("_" + split) || name.Contains("-" + split + "-")) return split;
        return Path.GetFileNameWithoutExtension(file);
    }

    internal static int SplitRank(string split) => split switch { "train" => 0, "dev" => 1, "test" => 2, _ => 3 };

    public static IReadOnlyList<CorpusSentence> ReadFile(string file)
    {
        using var reader = new CorpusLineReader(file);
        return Read(reader, file);
    }

    /// <param name="fileName">used in error messages and default sentence ids.</param>
    public static IReadOnlyList<CorpusSentence> Read(TextReader reader, string fileName)
    {
        var sentences = new List<CorpusSentence>();
        var builder = new SentenceBuilder(fileName);
        int lineNo = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                if (builder.HasContent) sentences.Add(builder.Finish(lineNo));
                continue;
            }
            if (line[0] == '#') { builder.Comment(line); continue; }
            builder.WordLine(line, lineNo);
        }
        if (builder.HasContent) sentences.Add(builder.Finish(lineNo + 1));
        return sentences;
    }

    private sealed class SentenceBuilder(string file)
    {
        private readonly List<AnnotatedWord> words = [];
        private readonly List<(int First, int Last, string Form, int Line)> ranges = [];
        private string? id, text;
        private int firstLine;

        public bool HasContent => words.Count > 0 || ranges.Count > 0;

        public void Comment(string line)
        {
            if (TryValue(line, "sent_id", out var v)) id = v;
            else if (TryValue(line, "text", out v)) text = v;
        }

        private static bool TryValue(string line, string key, out string value)
        {
            value = "";
            var body = line.AsSpan(1).TrimStart();
            if (!body.StartsWith(key, StringComparison.Ordinal)) return false;
            body = body[key.Length..].TrimStart();
            if (body.Length == 0 || body[0] != '=') return false;
            value = body[1..].Trim().ToString();
            return true;
        }

        public void WordLine(string line, int lineNo)
        {
            if (!HasContent) firstLine = lineNo;
            var cols = line.Split('\t');
            if (cols.Length != 10)
                throw new CorpusFormatException(file, lineNo, $"expected 10 tab-separated columns, found {cols.Length}");
            string idText = cols[0];
            int expected = words.Count + 1;
            int dash = idText.IndexOf('-');
            if (dash >= 0)
            {
                if (!int.TryParse(idText.AsSpan(0, dash), out int a) || !int.TryParse(idText.AsSpan(dash + 1), out int b) || a < 1 || b <= a)
                    throw new CorpusFormatException(file, lineNo, $"bad multiword token range '{idText}' (expected 'a-b' with 1 ≤ a < b)");
                if (a != expected)
                    throw new CorpusFormatException(file, lineNo, $"multiword token range '{idText}' should start at word {expected}");
                ranges.Add((a - 1, b - 1, cols[1], lineNo));
                return;
            }
            if (idText.Contains('.'))
            {
                if (!decimal.TryParse(idText, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out _))
                    throw new CorpusFormatException(file, lineNo, $"bad empty-node id '{idText}'");
                return; // empty nodes belong to enhanced graphs, not to the word sequence
            }
            if (!int.TryParse(idText, out int wordId))
                throw new CorpusFormatException(file, lineNo, $"bad word id '{idText}' (expected an integer, a range a-b or an empty node a.b)");
            if (wordId != expected)
                throw new CorpusFormatException(file, lineNo, $"word id {wordId} out of sequence (expected {expected})");
            int head = -1;
            if (cols[6] != "_")
            {
                if (!int.TryParse(cols[6], out head) || head < 0)
                    throw new CorpusFormatException(file, lineNo, $"HEAD '{cols[6]}' is not a non-negative integer");
            }
            words.Add(new AnnotatedWord(cols[1], Blank(cols[2]), Blank(cols[3]), Blank(cols[4]), ParseFeats(cols[5], lineNo), head, Blank(cols[7])));
        }

        private static string Blank(string s) => s == "_" ? "" : s;

        private Dictionary<string, string>? ParseFeats(string feats, int lineNo)
        {
            if (feats == "_" || feats.Length == 0) return null;
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in feats.Split('|'))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0 || eq == pair.Length - 1)
                    throw new CorpusFormatException(file, lineNo, $"feature '{pair}' is not Name=Value");
                result[pair[..eq]] = pair[(eq + 1)..];
            }
            return result;
        }

        public CorpusSentence Finish(int lineNo)
        {
            foreach (var r in ranges)
                if (r.Last >= words.Count)
                    throw new CorpusFormatException(file, r.Line, $"multiword token range {r.First + 1}-{r.Last + 1} goes past the last word ({words.Count})");
            var surface = new List<SurfaceToken>(words.Count);
            int w = 0, ri = 0;
            while (w < words.Count)
            {
                if (ri < ranges.Count && ranges[ri].First == w)
                {
                    surface.Add(new SurfaceToken(ranges[ri].Form, ranges[ri].First, ranges[ri].Last));
                    w = ranges[ri].Last + 1;
                    ri++;
                }
                else
                {
                    surface.Add(new SurfaceToken(words[w].Form, w, w));
                    w++;
                }
            }
            if (ri < ranges.Count)
                throw new CorpusFormatException(file, ranges[ri].Line, "multiword token range overlaps the previous one");
            var sentence = new CorpusSentence(new AnnotatedSentence(id ?? $"{Path.GetFileName(file)}:{firstLine}", words.ToArray()), surface, text);
            words.Clear(); ranges.Clear(); id = null; text = null;
            return sentence;
        }
    }

    private static string CommonPrefix(string[] names)
    {
        if (names.Length == 0) return "";
        string p = names[0];
        foreach (var n in names)
        {
            int i = 0;
            while (i < p.Length && i < n.Length && p[i] == n[i]) i++;
            p = p[..i];
        }
        if (names.Length == 1)
        {
            foreach (var split in new[] { "-train", "-dev", "-test" })
                if (p.EndsWith(split)) return p[..^split.Length];
        }
        return p;
    }
}
