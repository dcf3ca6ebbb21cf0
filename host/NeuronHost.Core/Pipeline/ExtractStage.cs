using System.Security.Cryptography;
using System.Text;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;

namespace NeuronHost.Core.Pipeline;

/// <summary>Extracts the activations into the store, or resumes/reuses a matching one.</summary>
public sealed class ExtractStage : IPipelineStage
{
    public string Name => ExtractionJob.ProgressStage;

    public void Run(PipelineState s)
    {
        var c = s.Config;
        string storeDir = StoreDirectory(c);
        var result = ExtractionJob.Run(s.Need(s.Model, "the model"), new ExtractionOptions
        {
            Corpus = s.Need(s.Corpus, "the corpus"),
            HookPoints = c.ResolvedHookPoints(),
            OutputDirectory = storeDir,
            Aggregation = c.Aggregation switch { "first" => WordAggregation.First, "mean" => WordAggregation.Mean, _ => WordAggregation.Last },
            ModelDirectory = c.ModelDir,
            Words = c.LmInput == "words" ? WordUnit.Syntactic : WordUnit.Text,
        }, s.Progress, s.Cancellation);
        s.Log.Info($"store {storeDir}: {result.State}, {result.Rows} words, {result.ShardsWritten} shard(s) written");
        if (result.TextFallbacks.Count > 0)
            s.Log.Info($"lm_input text: {result.TextSentences} sentence(s) read as their text, words joined by spaces for "
                + string.Join(", ", result.TextFallbacks.Select(f => $"{f.Value} ({f.Key})")));
        if (string.IsNullOrEmpty(c.StoreDir)) Assets.StoreCache.Touch(storeDir);
        // ExtractionJob.Run has just written, resumed or verified every file of it.
        s.Store = ActivationStore.Open(storeDir, verifyHashes: false);
        s.Results.Identity.HookPoints = c.ResolvedHookPoints();
        s.Results.Identity.Aggregation = c.Aggregation;
        s.Results.Identity.LmInput = c.LmInput == "words" ? "words (joined by spaces)"
            : !result.TextRecorded ? "text (# text where present, else words joined by spaces)"
            : result.TextFallbacks.Count == 0 ? "text (# text)"
            : $"text (# text for {result.TextSentences} sentences, words joined by spaces for {result.TextFallbacks.Values.Sum()})";
        s.Results.Identity.Neurons = s.Store.Columns;
    }

    /// <summary>The store folder: the config's, else one per (model, corpus, sentences, hooks,
    /// aggregation) in the store cache (<see cref="Assets.StoreCache.Root"/>), so runs of the same data share it.</summary>
    public static string StoreDirectory(Config.AnalysisConfig c)
    {
        if (!string.IsNullOrEmpty(c.StoreDir)) return c.StoreDir;
        string key = string.Join("\n", Path.GetFullPath(c.ModelDir), Path.GetFullPath(c.Corpus.Path), c.Corpus.MaxSentences?.ToString() ?? "all",
            string.Join(",", c.ResolvedHookPoints()), c.Aggregation, c.LmInput);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];
        return Path.Combine(Assets.StoreCache.Root(), $"{Path.GetFileName(c.ModelDir.TrimEnd('/'))}-{hash}");
    }
}
