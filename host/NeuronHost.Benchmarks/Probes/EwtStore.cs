using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Tasks;

namespace NeuronHost.Benchmarks.Probes;

/// <summary>A real task for the probe benchmark: gpt2-mini-brown's layer-1 MLP neurons over UD
/// English EWT (train, dev, test), extracted into a new folder of the system's temporary folder
/// that disposing deletes (only that folder: the benchmark made it).</summary>
internal sealed class EwtStore : IDisposable
{
    public string Directory { get; }
    private EwtStore(string directory) => Directory = directory;

    public const string Hook = "blocks.1.mlp.hook_post";

    /// <summary>Null, with the reason, when the model or the corpus is not there.</summary>
    public static EwtStore? Extract(string? modelDir, string? corpusDir, TextWriter log, out string? problem)
    {
        problem = modelDir is null ? "no gpt2-mini-brown model" : corpusDir is null ? "no ../shared/corpora/ud-english-ewt beside the repository" : null;
        if (problem is not null) return null;
        var folder = System.IO.Directory.CreateTempSubdirectory("neuronhost-bench-ewt-");
        var store = new EwtStore(folder.FullName);
        try
        {
            log.WriteLine($"  extracting {Hook} of {Path.GetFileName(modelDir)} over {corpusDir}");
            ExtractionJob.Run(modelDir!, new ExtractionOptions
            {
                Corpus = Corpus.Load(corpusDir!), HookPoints = [Hook], OutputDirectory = store.StorePath, Task = TaskSpec.Upos,
            });
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The store (its folder name names the benchmark's task).</summary>
    public string StorePath => Path.Combine(Directory, "gpt2-mini-brown-ewt");

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
