namespace NeuronHost.Runtime.Tests.Tokenizers;

/// <summary>Real sentences for comparing against reference tokenizers: the "# text =" lines of
/// UD English-EWT, when ../shared is present.</summary>
public static class CorpusTexts
{
    public const string EwtTest = "shared:corpora/ud-english-ewt/en_ewt-ud-test.conllu";

    public static List<string> Ewt(int count)
    {
        var path = TokenizerAssets.Resolve(EwtTest);
        if (!File.Exists(path)) return [];
        return File.ReadLines(path).Where(l => l.StartsWith("# text = ", StringComparison.Ordinal))
            .Select(l => l["# text = ".Length..]).Take(count).ToList();
    }
}
