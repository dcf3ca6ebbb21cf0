using System.Text;
using System.Text.Json;
using NeuronHost.Runtime.Models;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Readers for the plain vocabulary files models ship with; every error names the file
/// (and the line). Text must be valid UTF-8 (no silent U+FFFD), ids below <see cref="ModelLimits.MaxVocab"/>,
/// files at most <see cref="MaxFileBytes"/>.</summary>
public static class VocabularyFiles
{
    /// <summary>The largest tokenizer file read (a 256k-token tokenizer.json is about 20 MB).</summary>
    public const long MaxFileBytes = 512L << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0 || id >= ModelLimits.MaxVocab)
                throw new TokenizerFileException(path, $"the id of token \"{BpeMerges.Shorten(p.Name)}\" in {what} is {BpeMerges.Shorten(p.Value.GetRawText())}, not an integer from 0 to {ModelLimits.MaxVocab - 1}");
            vocab[p.Name] = id;
        }
        return vocab;
    }

    /// <summary>vocab.txt: one token a line, the id is the line number − 1.</summary>
    public static Dictionary<string, int> ReadLineVocabulary(string path)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = ReadTextLines(path);
        if (lines.Count > ModelLimits.MaxVocab) throw new TokenizerFileException(path, $"{lines.Count} lines is over the limit of {ModelLimits.MaxVocab} tokens");
        for (int i = 0; i < lines.Count; i++)
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

    /// <summary>The lines of a UTF-8 text file; an invalid byte sequence is an error naming its line.</summary>
    internal static List<string> ReadTextLines(string path)
    {
        var text = StrictText(ReadBytes(path), path);
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        for (int i = 0; i < lines.Count; i++) lines[i] = lines[i].TrimEnd('\r');
        return lines;
    }

    private static string StrictText(byte[] bytes, string path)
    {
        try { return StrictUtf8.GetString(bytes.AsSpan(bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0)); }
        catch (DecoderFallbackException e)
        {
            int at = Math.Max(0, e.Index);
            int line = 1 + bytes.AsSpan(0, Math.Min(at, bytes.Length)).Count((byte)'\n');
            throw new TokenizerFileException(path, "is not valid UTF-8 text", line, e);
        }
    }

    private static byte[] ReadBytes(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if ((info.Attributes & FileAttributes.Directory) != 0 || !info.Exists) throw new TokenizerFileException(path, "not a file");
            if (info.Length > MaxFileBytes) throw new TokenizerFileException(path, $"{info.Length:N0} bytes is over the {MaxFileBytes:N0}-byte limit for a tokenizer file");
            using var stream = File.OpenRead(path);
            var buffer = new MemoryStream();
            // A device or pipe reports length 0: read at most one byte past the limit, never without bound.
            var chunk = new byte[81920];
            int n;
            while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > MaxFileBytes) throw new TokenizerFileException(path, $"more than the {MaxFileBytes:N0}-byte limit for a tokenizer file");
            }
            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerFileException(path, e.Message, 0, e);
        }
    }

    internal static JsonDocument ParseJson(string path)
    {
        var bytes = ReadBytes(path);
        StrictText(bytes, path);
        try
        {
            return JsonDocument.Parse(bytes.AsMemory(bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0), new JsonDocumentOptions { AllowTrailingCommas = true, MaxDepth = 64 });
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
