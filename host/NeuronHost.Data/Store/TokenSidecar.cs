using System.Globalization;
using System.Text;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Store;

/// <summary>tokens.tsv: one line per store row (after a header line) with the word and its
/// annotations, so any task can be derived from a store without the corpus:
/// split, sentence (index), sentence_id, word (index in the sentence), form, lemma, upos, xpos,
/// feats (CoNLL-U style, names in ordinal order), head, deprel, label (the extraction task's
/// label, or empty). Tabs and line breaks inside a field are written as spaces.</summary>
public static class TokenSidecar
{
    public const string FileName = "tokens.tsv";
    private const string Header = "split\tsentence\tsentence_id\tword\tform\tlemma\tupos\txpos\tfeats\thead\tdeprel\tlabel";

    public static byte[] ToBytes(TokenTable table, IReadOnlyList<string?>? labels = null)
    {
        var sb = new StringBuilder(checked((int)Math.Min(int.MaxValue / 2, table.Rows * 48 + 128)));
        sb.Append(Header).Append('\n');
        for (long r = 0; r < table.Rows; r++)
        {
            int s = table.RowSentence[r];
            var w = table.Words[r];
            sb.Append(Clean(table.SentenceSplit[s])).Append('\t')
              .Append(s.ToString(CultureInfo.InvariantCulture)).Append('\t')
              .Append(Clean(table.SentenceIds[s])).Append('\t')
              .Append(table.RowWord[r].ToString(CultureInfo.InvariantCulture)).Append('\t')
              .Append(Clean(w.Form)).Append('\t')
              .Append(Clean(w.Lemma)).Append('\t')
              .Append(Clean(w.Upos)).Append('\t')
              .Append(Clean(w.Xpos)).Append('\t')
              .Append(w.Features is null ? "" : string.Join('|', w.Features.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"))).Append('\t')
              .Append(w.Head.ToString(CultureInfo.InvariantCulture)).Append('\t')
              .Append(Clean(w.DepRel)).Append('\t')
              .Append(labels is null ? "" : Clean(labels[(int)r] ?? "")).Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Clean(string s) => s.AsSpan().IndexOfAny('\t', '\n', '\r') < 0 ? s : s.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>Reads the table back; labels[r] is the extraction task's label ("" when none).</summary>
    public static (TokenTable Table, string[] Labels) Read(string path)
    {
        var ids = new List<string>(); var splits = new List<string>();
        var rowSentence = new List<int>(); var rowWord = new List<int>(); var words = new List<AnnotatedWord>(); var labels = new List<string>();
        using var reader = new StreamReader(path, Encoding.UTF8);
        string? line = reader.ReadLine();
        if (line != Header) throw new StoreFormatException(path, "line 1: not a tokens.tsv header");
        int lineNo = 1;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            var c = line.Split('\t');
            if (c.Length != 12) throw new StoreFormatException(path, $"line {lineNo}: expected 12 columns, found {c.Length}");
            if (!int.TryParse(c[1], CultureInfo.InvariantCulture, out int s) || !int.TryParse(c[3], CultureInfo.InvariantCulture, out int w)
                || !int.TryParse(c[9], CultureInfo.InvariantCulture, out int head))
                throw new StoreFormatException(path, $"line {lineNo}: bad number");
            if (s == ids.Count) { ids.Add(c[2]); splits.Add(c[0]); }
            else if (s != ids.Count - 1) throw new StoreFormatException(path, $"line {lineNo}: sentence {s} out of order");
            Dictionary<string, string>? feats = null;
            if (c[8].Length > 0)
            {
                feats = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var pair in c[8].Split('|'))
                {
                    int eq = pair.IndexOf('=');
                    if (eq <= 0) throw new StoreFormatException(path, $"line {lineNo}: bad feature '{pair}'");
                    feats[pair[..eq]] = pair[(eq + 1)..];
                }
            }
            rowSentence.Add(s); rowWord.Add(w);
            words.Add(new AnnotatedWord(c[4], c[5], c[6], c[7], feats, head, c[10]));
            labels.Add(c[11]);
        }
        return (new TokenTable(ids, splits, rowSentence.ToArray(), rowWord.ToArray(), words.ToArray()), labels.ToArray());
    }
}
