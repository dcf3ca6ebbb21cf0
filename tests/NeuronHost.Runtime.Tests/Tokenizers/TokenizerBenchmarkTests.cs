using NeuronHost.Runtime.Tokenizers;

namespace NeuronHost.Runtime.Tests.Tokenizers;

public class TokenizerBenchmarkTests
{
    /// <summary>Both engines are timed on the same texts; the routed one counts exactly ours' tokens
    /// (the library, unrouted, may not: it is wrong on some inputs).</summary>
    [AssetFact(EwtDevSentences.Dev, "shared:models/tiny-bert", "shared:models/gpt2-mini-brown")]
    public void TimesEveryEngineOnTheSameTexts()
    {
        var texts = EwtDevSentences.Read(EwtDevSentences.Dev).Select(s => s.Text).ToList();
        var bert = TokenizerBenchmark.Run(TokenizerAssets.Resolve("shared:models/tiny-bert"), texts);
        Assert.Equal([TokenizerEngine.Ours, TokenizerEngine.Library, TokenizerEngine.LibraryWhereExact], bert.Select(t => t.Engine));
        Assert.Equal(bert[0].Tokens, bert[2].Tokens);
        Assert.NotEqual(bert[0].Tokens, bert[1].Tokens); // "$", "+", "_"… in EWT dev
        Assert.All(bert, t => Assert.True(t.TokensPerSecond > 0 && t.LoadMilliseconds >= 0));
        var gpt2 = Assert.Single(TokenizerBenchmark.Run(TokenizerAssets.Resolve("shared:models/gpt2-mini-brown"), texts));
        Assert.Equal(TokenizerEngine.Library, gpt2.Engine);
    }
}
