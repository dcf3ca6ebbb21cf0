namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>One UD English-EWT sentence as the CLI feeds it to a tokenizer: the "# text =" line
/// (<c>neuronhost tokenize</c>), the surface tokens and the syntactic words (<c>extract</c>).</summary>
public sealed record EwtSentence(string Text, string[] Surface, string[] Words);

public static class EwtDevSentences
{
    public const string Dev = "shared:corpora/ud-english-ewt/en_ewt-ud-dev.conllu";
    public const string Train = "shared:corpora/ud-english-ewt/en_ewt-ud-train.conllu";

    /// <summary>Every sentence of a CoNLL-U file (multiword ranges are surface tokens, empty nodes skipped).</summary>
    public static List<EwtSentence> Read(string asset)
    {
        var list = new List<EwtSentence>();
        string text = "";
        var surface = new List<string>();
        var words = new List<string>();
        int coveredTo = 0;
        foreach (var line in File.ReadLines(TokenizerAssets.Resolve(asset)).Append(""))
        {
            if (line.Length == 0)
            {
                if (words.Count > 0) list.Add(new EwtSentence(text, [.. surface], [.. words]));
                text = "";
                surface.Clear();
                words.Clear();
                coveredTo = 0;
                continue;
            }
            if (line.StartsWith("# text = ", StringComparison.Ordinal)) { text = line["# text = ".Length..]; continue; }
            if (line[0] == '#') continue;
            var cols = line.Split('\t');
            int dash = cols[0].IndexOf('-');
            if (dash > 0) { surface.Add(cols[1]); coveredTo = int.Parse(cols[0][(dash + 1)..]); continue; }
            if (!int.TryParse(cols[0], out int id)) continue;
            words.Add(cols[1]);
            if (id > coveredTo) surface.Add(cols[1]);
        }
        return list;
    }
}
