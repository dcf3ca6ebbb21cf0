using System.Text.Json;
using NeuronHost.Runtime.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

public class TokenizerLoaderTests
{
    [AssetFact("shared:models/gpt2-mini-brown", "shared:models/tiny-bert", "shared:reference/sentencepiece", "npm:model-embeddings-en/dist/vocab.json")]
    public void ChoosesByTheFilesPresent()
    {
        Assert.Equal("gpt2-bpe", TokenizerLoader.Load(TokenizerAssets.Resolve("shared:models/gpt2-mini-brown")).Kind);
        Assert.Equal("wordpiece", TokenizerLoader.Load(TokenizerAssets.Resolve("shared:models/tiny-bert")).Kind);
        Assert.Null(TokenizerLoader.TryLoad(TokenizerAssets.Resolve("shared:models/tiny-llama")));
        Assert.Equal("sentencepiece-bpe", TokenizerLoader.Load(TokenizerAssets.Resolve("shared:reference/sentencepiece/bpe.model")).Kind);
        Assert.Equal("sentencepiece-unigram", TokenizerLoader.Load(TokenizerAssets.Resolve("npm:model-embeddings-en/dist")).Kind);
        using var tmp = new TempDir();
        File.Copy(TokenizerAssets.Resolve("shared:reference/sentencepiece/unigram.model"), tmp.File("tokenizer.model"));
        Assert.Equal("sentencepiece-unigram", TokenizerLoader.Load(tmp.Path).Kind);
    }

    [AssetFact("shared:models/gpt2-mini-brown")]
    public void ReportListsTokensAndWordAlignment()
    {
        var tok = TokenizerLoader.Load(TokenizerAssets.Resolve("shared:models/gpt2-mini-brown"));
        var report = TokenizationReport.Create(tok, "The jury said it was a fine day.");
        // Ids from the model's reference.json (an independent byte-level BPE).
        Assert.Equal([448, 6899, 847, 328, 369, 258, 3792, 1123, 13], report.Ids);
        Assert.True(report.AlignmentMatchesText);
        Assert.Equal(8, report.Words.Count);
        Assert.Equal(" day", report.Tokens[7].Text);
        Assert.Equal(new[] { 1123, 13 }, report.Words[^1].Ids);
        using var doc = JsonDocument.Parse(report.ToJson());
        Assert.Equal(9, doc.RootElement.GetProperty("ids").GetArrayLength());
        Assert.Equal("day.", doc.RootElement.GetProperty("words")[7].GetProperty("word").GetString());
        Assert.Contains("words:", report.ToText());
    }
}
