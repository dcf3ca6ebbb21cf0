using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Tasks;

namespace NeuronHost.Benchmarks.Probes;

/// <summary>A real task for the probe benchmark: a GPT-2's (gpt2-mini-brown's in bench all)
/// layer-1 MLP neurons over UD English EWT (train, dev, test), extracted into a new folder of the
/// system's temporary folder that disposing deletes (only that folder: the benchmark made it).</summary>
internal sealed class EwtStore : IDisposable
{
    public string Directory { get; }
    /// <summary>The store, named for the model and the corpus (the benchmark's task takes its name).</summary>
    public string StorePath { get; }
    private EwtStore(string directory, string model) => (Directory, StorePath) = (directory, Path.Combine(directory, $"{model}-ewt"));

    public const string Hook = "blocks.1.mlp.hook_post";

    /// <summary>Null, with the reason, when the model or the corpus is not there.</summary>
    public static EwtStore? Extract(string? modelDir, string? corpusDir, TextWriter log, out string? problem)
    {
        problem = modelDir is null ? "no model: no ../shared/models/gpt2-mini-brown beside the repository and no --model" : corpusDir is null ? "no ../shared/corpora/ud-english-ewt beside the repository" : null;
        if (problem is not null) return null;
        var folder = System.IO.Directory.CreateTempSubdirectory("neuronhost-bench-ewt-");
        var store = new EwtStore(folder.FullName, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir!))));
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

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
