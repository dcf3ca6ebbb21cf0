using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using NeuronHost.Sdk;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>One token: its id, the vocabulary's spelling and the text it stands for.</summary>
public sealed record TokenInfo(int Id, string Token, string Text);

/// <summary>One whitespace-separated word of the text and the tokens [Start, Start+Length) of the
/// aligned id sequence that make it up.</summary>
public sealed record WordTokens(string Word, int Start, int Length, int[] Ids);

/// <summary>What <c>neuronhost tokenize</c> shows: the ids and tokens of the text, and the
/// alignment of its whitespace-separated words to tokens (<see cref="ITokenizer.EncodeWords"/>).
/// <see cref="AlignedIds"/> equal <see cref="Ids"/> unless the text has unusual spacing.</summary>
public sealed record TokenizationReport(
    string Kind,
    string Text,
    int[] Ids,
    IReadOnlyList<TokenInfo> Tokens,
    IReadOnlyList<WordTokens> Words,
    int[] AlignedIds)
{
    public bool AlignmentMatchesText => Ids.AsSpan().SequenceEqual(AlignedIds);

    public static TokenizationReport Create(ITokenizer tokenizer, string text, bool addSpecialTokens = true)
    {
        var ids = tokenizer.Encode(text, addSpecialTokens);
        var tokens = ids.Select(id => Describe(tokenizer, id)).ToArray();
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var aligned = tokenizer.EncodeWords(words, addSpecialTokens);
        var wordTokens = words.Select((w, i) => new WordTokens(w, aligned.Words[i].Start, aligned.Words[i].Length,
            aligned.Ids.AsSpan(aligned.Words[i].Start, aligned.Words[i].Length).ToArray())).ToArray();
        return new TokenizationReport(tokenizer.Kind, text, ids, tokens, wordTokens, aligned.Ids);
    }

    private static TokenInfo Describe(ITokenizer tokenizer, int id)
    {
        string token = tokenizer.IdToToken(id) ?? $"<id {id}>";
        string text = tokenizer is Gpt2BpeTokenizer ? tokenizer.Decode([id])
            : token.Replace(SentencePieceNormalizer.Space, ' ');
        return new TokenInfo(id, token, text);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>{"kind", "text", "ids", "tokens": [{id, token, text}], "words": [{word, start,
    /// length, ids}], "aligned_ids", "alignment_matches_text"} for scripts.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        kind = Kind, text = Text, ids = Ids, tokens = Tokens, words = Words,
        aligned_ids = AlignedIds, alignment_matches_text = AlignmentMatchesText,
    }, JsonOptions);

    /// <summary>A plain listing for people: one line per token, then one per word.</summary>
    public string ToText()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{Kind}: {Ids.Length} tokens");
        for (int i = 0; i < Tokens.Count; i++)
            sb.AppendLine($"{i,5}  {Tokens[i].Id,7}  {Visible(Tokens[i].Token)}");
        sb.AppendLine("words:");
        foreach (var w in Words)
            sb.AppendLine($"  {Visible(w.Word)} → tokens {w.Start}..{w.Start + w.Length - 1} [{string.Join(", ", w.Ids)}]");
        if (!AlignmentMatchesText) sb.AppendLine("(word alignment re-encodes the words with single spaces; its ids differ from the text's)");
        return sb.ToString();
    }

    private static string Visible(string s) =>
        JsonSerializer.Serialize(s, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
