using System.Diagnostics;

namespace NeuronHost.Runtime.Tokenizers;

/// <summary>Load time and encoding speed of one engine on a list of texts.</summary>
public sealed record TokenizerTiming(TokenizerEngine Engine, double LoadMilliseconds, long Tokens, double Seconds)
{
    public double TokensPerSecond => Tokens / Seconds;
}

/// <summary>Times Microsoft.ML.Tokenizers and our own code on the same texts: each engine encodes
/// every text once to warm up, then once timed; the load time is the best of three loads.</summary>
public static class TokenizerBenchmark
{
    public static IReadOnlyList<TokenizerTiming> Run(string tokenizerPath, IReadOnlyList<string> texts, CancellationToken cancel = default)
    {
        double load = double.MaxValue;
        TokenizerBase? tokenizer = null;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            tokenizer = TokenizerLoader.Load(tokenizerPath) as TokenizerBase
                ?? throw new NotSupportedException($"{tokenizerPath}: not one of the runtime's tokenizers");
            load = Math.Min(load, clock.Elapsed.TotalMilliseconds);
        }
        var engines = tokenizer!.Library is null ? [tokenizer.Engine]
            : new[] { TokenizerEngine.Ours, TokenizerEngine.Library, TokenizerEngine.LibraryWhereExact };
        var timings = new List<TokenizerTiming>();
        try
        {
            foreach (var engine in engines)
            {
                tokenizer.Engine = engine;
                Encode(tokenizer, texts, cancel);
                var clock = Stopwatch.StartNew();
                long tokens = Encode(tokenizer, texts, cancel);
                timings.Add(new TokenizerTiming(engine, load, tokens, clock.Elapsed.TotalSeconds));
            }
        }
        finally { tokenizer.Engine = engines[^1]; }
        return timings;
    }

    private static long Encode(TokenizerBase tokenizer, IReadOnlyList<string> texts, CancellationToken cancel)
    {
        long tokens = 0;
        foreach (var text in texts)
        {
            cancel.ThrowIfCancellationRequested();
            tokens += tokenizer.Encode(text).Length;
        }
        return tokens;
    }
}
