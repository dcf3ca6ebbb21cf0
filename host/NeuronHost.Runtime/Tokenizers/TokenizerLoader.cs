using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Finds and loads the tokenizer a model folder ships, by the files present:
/// tokenizer.json (Hugging Face), tokenizer.model (SentencePiece), vocab.json + merges.txt
/// (GPT-2 BPE), vocab.txt (WordPiece), or a USE-Lite vocab.json list of [piece, score].</summary>
public static class TokenizerLoader
{
    /// <summary>The tokenizer of <paramref name="path"/> (a folder, or one tokenizer file), or
    /// null when there are no tokenizer files. A malformed file throws
    /// <see cref="TokenizerFileException"/> naming it.</summary>
    public static ITokenizer? TryLoad(string path)
    {
        try { return TryLoadUnguarded(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                      or KeyNotFoundException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // A framework exception here is a check we are missing: still name the path, never the type.
            throw new TokenizerFileException(path, $"cannot be read: {e.Message}", 0, e);
        }
    }

    private static ITokenizer? TryLoadUnguarded(string path)
    {
        if (File.Exists(path)) return LoadFile(path);
        if (!Directory.Exists(path)) return null;
        string F(string name) => Path.Combine(path, name);

        if (File.Exists(F("tokenizer.json")))
        {
            try { return HfTokenizerJson.Load(F("tokenizer.json")); }
            catch (TokenizerFileException) when (HasOtherTokenizerFiles(path)) { /* use the older files beside it */ }
        }
        if (File.Exists(F("tokenizer.model"))) return SentencePieceTokenizer.FromFile(F("tokenizer.model"));
        if (File.Exists(F("vocab.json")) && File.Exists(F("merges.txt")))
            return Gpt2BpeTokenizer.FromFiles(F("vocab.json"), F("merges.txt"));
        if (File.Exists(F("vocab.txt"))) return WordPieceTokenizer.FromFiles(F("vocab.txt"));
        if (File.Exists(F("vocab.json")) && IsJsonList(F("vocab.json"))) return UseLiteTokenizer.FromFile(F("vocab.json"));
        if (File.Exists(F("vocab.json")))
            throw new TokenizerFileException(F("vocab.json"), "found without merges.txt beside it (GPT-2 BPE needs both)");
        return null;
    }

    /// <summary>Like <see cref="TryLoad"/>, but a folder without tokenizer files is an error.</summary>
    public static ITokenizer Load(string path) => TryLoad(path) ?? throw new FileNotFoundException(
        $"{path}: no tokenizer files (tokenizer.json, tokenizer.model, vocab.json + merges.txt, vocab.txt)");

    private static ITokenizer LoadFile(string file)
    {
        string name = Path.GetFileName(file), dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (name.EndsWith(".model", StringComparison.OrdinalIgnoreCase)) return SentencePieceTokenizer.FromFile(file);
        if (name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) return WordPieceTokenizer.FromFiles(file);
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (IsJsonList(file)) return UseLiteTokenizer.FromFile(file);
            if (name != "vocab.json" && name != "encoder.json") return HfTokenizerJson.Load(file);
            foreach (var merges in new[] { "merges.txt", "vocab.bpe" })
                if (File.Exists(Path.Combine(dir, merges))) return Gpt2BpeTokenizer.FromFiles(file, Path.Combine(dir, merges));
        }
        throw new TokenizerFileException(file, "is not a tokenizer file this host reads (tokenizer.json, *.model, vocab.json + merges.txt, vocab.txt)");
    }

    private static bool HasOtherTokenizerFiles(string dir) =>
        new[] { "tokenizer.model", "vocab.txt", "vocab.json" }.Any(f => File.Exists(Path.Combine(dir, f)));

    private static bool IsJsonList(string file)
    {
        using var stream = File.OpenRead(file);
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF) continue;
            return b == '[';
        }
        return false;
    }
}
