using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Runtime.Models;
using NeuronHost.Runtime.Tokenizers;
using NeuronHost.Sdk;
using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests.Integrity;

/// <summary>A real small store, built once: gpt2-mini-brown's four mlp.hook_post layers (4,096
/// columns) over the first 12 sentences of UD English-EWT dev (223 words), 80 rows per shard (3 shards),
/// task upos. Each test works on its own copy.</summary>
public sealed class RealStore : IDisposable
{
    public const int Sentences = 12; // 223 words
    public const int RowsPerShard = 80;
    private readonly Lazy<(ModelSession Session, string Pristine)> built;
    private readonly string root = TestPaths.TempDir("integrity");

    public RealStore() => built = new(Build);

    public ModelSession Session => built.Value.Session;
    public string Pristine => built.Value.Pristine;
    private readonly Lazy<Corpus> corpus = new(() =>
    {
        var ewt = Corpus.Load(TestPaths.Ewt("dev"));
        return new Corpus("ewt-dev-12", ewt.Format, [], [new CorpusSplit("dev", ewt.Sentences.Take(Sentences).ToArray())]);
    });
    public Corpus Corpus => corpus.Value;

    public ExtractionOptions Options(string dir) => new()
    {
        Corpus = Corpus, HookPoints = Enumerable.Range(0, 4).Select(HookPoints.MlpPost).ToArray(), OutputDirectory = dir,
        Aggregation = WordAggregation.Last, BatchSize = 4, RowsPerShard = RowsPerShard, Task = Tasks.TaskSpec.Upos,
    };

    private (ModelSession, string) Build()
    {
        string modelDir = SharedAssets.Model("gpt2-mini-brown");
        var session = ModelLoader.Load(modelDir, TokenizerLoader.TryLoad(modelDir));
        string pristine = Path.Combine(root, "pristine");
        var result = ExtractionJob.Run(session, Options(pristine));
        if (result.State != StoreOpenState.Created || StoreManifest.Read(Path.Combine(pristine, StoreManifest.FileName)).Shards.Count != 3)
            throw new InvalidOperationException($"the test store should be new and have 3 shards ({result.State}, {result.Rows} rows)");
        return (session, pristine);
    }

    /// <summary>A fresh copy of the pristine store (a folder inside its own case folder, so that
    /// "outside the store" files can sit beside it).</summary>
    public string Copy(string name)
    {
        string dir = Path.Combine(root, name + "-" + Guid.NewGuid().ToString("N")[..6], "store");
        Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(Pristine)) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        return dir;
    }

    public void Dispose()
    {
        if (built.IsValueCreated) built.Value.Session.Dispose();
        Directory.Delete(root, recursive: true);
    }
}
