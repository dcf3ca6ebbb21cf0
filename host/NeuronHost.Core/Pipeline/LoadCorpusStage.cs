using NeuronHost.Data.Corpora;
using NeuronHost.Sdk;

namespace NeuronHost.Core.Pipeline;

/// <summary>Reads the corpus and keeps about max-sentences sentences, the first ones of each split in proportion to its size.</summary>
public sealed class LoadCorpusStage : IPipelineStage
{
    public string Name => "read corpus";

    public void Run(PipelineState s)
    {
        s.Progress.Report(new ProgressReport(Name, 0, 1, "corpora"));
        var corpus = Corpus.Load(s.Config.Corpus.Path);
        if (s.Config.Corpus.MaxSentences is int max) corpus = corpus.FirstSentences(max);
        s.Corpus = corpus;
        s.Results.Identity.Corpus = s.Config.Corpus.Path;
        s.Results.Identity.CorpusFormat = corpus.Format;
        s.Results.Identity.CorpusIdentity = corpus.ComputeHash() + (s.Config.Corpus.MaxSentences is int m ? $" (first {m} sentences)" : "");
        s.Log.Info($"corpus {corpus.Name}: {corpus.SentenceCount} sentences, {corpus.WordCount} words");
        s.Progress.Report(new ProgressReport(Name, 1, 1, "corpora"));
    }
}
