using NeuronHost.Runtime.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

public class WordPieceTokenizerTests
{
    private const string TinyBert = "shared:models/tiny-bert";

    private static WordPieceTokenizer Load() =>
        WordPieceTokenizer.FromFiles(Path.Combine(TokenizerAssets.Resolve(TinyBert), "vocab.txt"));

    [AssetFact(TinyBert)]
    public void TinyBertIdsMatchTheReference()
    {
        var tok = Load();
        Assert.True(tok.Options.Lowercase);
        var reference = TokenizerAssets.ReadJson(TinyBert + "/reference.json");
        int count = 0;
        foreach (var c in reference.GetProperty("tokenizer_cases").EnumerateArray())
        {
            string text = c.GetProperty("text").GetString()!;
            Assert.True(TokenizerAssets.Ids(c.GetProperty("ids")).SequenceEqual(tok.Encode(text)),
                $"ids differ for \"{text}\": got [{string.Join(",", tok.Encode(text))}]");
            count++;
        }
        Assert.True(count >= 8);
    }

    /// <summary>"[MASK]" as a CoNLL-U-style word is the mask token, not "[", "mask", "]": the
    /// words of tiny-bert's masked reference sentences align to the reference's (Hugging Face) ids.</summary>
    [AssetFact(TinyBert)]
    public void MaskWordIsOneMaskToken()
    {
        var tok = Load();
        var reference = TokenizerAssets.ReadJson(TinyBert + "/reference.json");
        foreach (var c in reference.GetProperty("cases").EnumerateArray())
        {
            var words = c.GetProperty("text").GetString()!.Split(' ');
            var aligned = tok.EncodeWords(words);
            Assert.Equal(TokenizerAssets.Ids(c.GetProperty("ids")), aligned.Ids);
            var mask = aligned.Words[Array.IndexOf(words, "[MASK]")];
            Assert.Equal(1, mask.Length);
            Assert.Equal(c.GetProperty("mask_position").GetInt32(), mask.Start);
            Assert.Equal(4, aligned.Ids[mask.Start]);
        }
    }

    [AssetFact(TinyBert)]
    public void MaskWrittenInTextIsTheMaskToken()
    {
        var tok = Load();
        var ids = tok.Encode("the jury [MASK] it.");
        Assert.Equal(tok.TokenToId("[CLS]"), ids[0]);
        Assert.Equal(tok.TokenToId("[SEP]"), ids[^1]);
        Assert.Contains(tok.MaskTokenId!.Value, ids);
        Assert.Equal(4, tok.MaskTokenId);
        Assert.Equal(ids[1..^1], tok.Encode("the jury [MASK] it.", addSpecialTokens: false));
    }

    [AssetFact(TinyBert)]
    public void WordsAlignWithMultiwordTokensAndPunctuation()
    {
        var tok = Load();
        // CoNLL-U: "don't" is the multiword token of the words "do" and "n't".
        string[] words = ["I", "do", "n't", "think", "so", ",", "Mr.", "O'Neill", "!"];
        var aligned = tok.EncodeWords(words);
        Assert.Equal(tok.Encode(string.Join(' ', words)), aligned.Ids);
        Assert.Equal(tok.BosTokenId, aligned.Ids[0]);
        Assert.Equal(tok.EosTokenId, aligned.Ids[^1]);
        int next = 1;
        foreach (var span in aligned.Words)
        {
            Assert.Equal(next, span.Start);
            Assert.True(span.Length >= 1);
            next += span.Length;
        }
        Assert.Equal(aligned.Ids.Length - 1, next);
        Assert.Equal(3, aligned.Words[2].Length); // n ' t
        Assert.Equal(1, aligned.Words[^1].Length);
        // A word with no characters left after cleaning still gets one token.
        Assert.Equal(1, tok.EncodeWords(["a", "\u200b"], addSpecialTokens: false).Words[1].Length);
    }
}
