using System.Text.Json;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Readers for the plain vocabulary files models ship with; every error names the file.</summary>
public static class VocabularyFiles
{
    /// <summary>vocab.json / encoder.json: one JSON object token → id.</summary>
    public static Dictionary<string, int> ReadJsonVocabulary(string path)
    {
        using var doc = ParseJson(path);
        return ReadVocabularyObject(doc.RootElement, path, "the file");
    }

    /// <summary>A JSON object token → non-negative integer id, with distinct ids.</summary>
    internal static Dictionary<string, int> ReadVocabularyObject(JsonElement element, string path, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new TokenizerFileException(path, $"{what} must be a JSON object mapping tokens to ids, found {element.ValueKind}");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw new TokenizerFileException(path, $"the id of token \"{BpeMerges.Shorten(p.Name)}\" in {what} is {p.Value.GetRawText()}, not a non-negative integer");
            vocab[p.Name] = id;
        }
        return vocab;
    }

    /// <summary>vocab.txt: one token a line, the id is the line number − 1.</summary>
    public static Dictionary<string, int> ReadLineVocabulary(string path)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new TokenizerFileException(path, e.Message, 0, e); }
        for (int i = 0; i < lines.Length; i++)
        {
            var token = lines[i].TrimEnd('\r');
            if (token.Contains('\0'))
                throw new TokenizerFileException(path, "contains a NUL character: not a text vocabulary (one token a line)", i + 1);
            // As Hugging Face reads it: a repeated token keeps its last line; blank lines hold ids.
            if (token.Length > 0) vocab[token] = i;
        }
        if (vocab.Count == 0) throw new TokenizerFileException(path, "the vocabulary is empty");
        return vocab;
    }

    internal static JsonDocument ParseJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            int line = e.LineNumber is long l ? (int)l + 1 : 0;
            throw new TokenizerFileException(path, $"not valid JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')})", line, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerFileException(path, e.Message, 0, e);
        }
    }
}
