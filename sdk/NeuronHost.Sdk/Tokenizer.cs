namespace NeuronHost.Sdk;

/// <summary>Tokens [Start, Start+Length) of the id sequence make up one word.</summary>
public readonly record struct TokenSpan(int Start, int Length);

/// <summary>Ids for pre-tokenised words, and which ids belong to each word.</summary>
public sealed record WordAlignment(int[] Ids, IReadOnlyList<TokenSpan> Words);

public interface ITokenizer
{
    /// <summary>"gpt2-bpe", "wordpiece", "sentencepiece-bpe", "sentencepiece-unigram".</summary>
    string Kind { get; }
    int VocabSize { get; }
    int[] Encode(string text, bool addSpecialTokens = true);
    string Decode(IEnumerable<int> ids);
    string? IdToToken(int id);
    int? TokenToId(string token);
    /// <summary>Encodes words as the model would see them in running text (with the spaces
    /// between them) and reports which tokens form each word.</summary>
    WordAlignment EncodeWords(IReadOnlyList<string> words, bool addSpecialTokens = true);
    int? MaskTokenId { get; }
    int? BosTokenId { get; }
    int? EosTokenId { get; }
}
