using NeuronHost.Cluster.Contracts;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Runtime.Models;
using NeuronHost.Sdk;

namespace NeuronHost.Cluster.Silo;

/// <summary>One run on one silo: the model and corpus opened from this host's paths and checked
/// against the coordinator's hashes, the same plan of batches, and the folder where this silo's
/// shards of the run are written (a float32 [rows, columns] file per shard, written atomically).</summary>
internal sealed class SiloJob : IDisposable
{
    private readonly IModelSession session;
    private readonly PreparedExtraction plan;
    private readonly WordAggregation aggregation;
    public ClusterJobSpec Spec { get; }
    public string Folder { get; }
    /// <summary>The columns of every shard's rows.</summary>
    public IReadOnlyList<NeuronRef> Neurons { get; }

    private SiloJob(ClusterJobSpec spec, IModelSession session, PreparedExtraction plan, WordAggregation aggregation, string folder)
    {
        Spec = spec; this.session = session; this.plan = plan; this.aggregation = aggregation; Folder = folder;
        Neurons = plan.Hooks.SelectMany(h => Enumerable.Range(0, h.Width).Select(i => new NeuronRef(h.Name, i))).ToArray();
    }

    /// <summary>Opens the job, or throws <see cref="ClusterException"/> with one line naming this silo and what is missing or different.</summary>
    public static SiloJob Open(ClusterJobSpec spec, SiloSettings settings)
    {
        string silo = settings.Name, storeDir = settings.StoreDir;
        string modelDir = settings.Local(spec.ModelDir), corpusPath = settings.Local(spec.CorpusPath);
        string Named(string local, string remote) => local == remote ? local : $"{local} (the coordinator's {remote})";
        if (spec.Version != ClusterNames.Version)
            throw new ClusterException($"silo {silo} runs {ClusterNames.Version}, the coordinator {spec.Version}: run the same NeuronHost on every host");
        if (!Directory.Exists(modelDir))
            throw new ClusterException($"silo {silo}: the model folder {Named(modelDir, spec.ModelDir)} is missing on this host");
        if (!File.Exists(corpusPath) && !Directory.Exists(corpusPath))
            throw new ClusterException($"silo {silo}: the corpus {Named(corpusPath, spec.CorpusPath)} is missing on this host");
        IModelSession session;
        try { session = ModelOpener.Open(modelDir); }
        catch (Exception e) { throw new ClusterException($"silo {silo}: cannot open the model {Named(modelDir, spec.ModelDir)}: {ClusterAddress.FirstLine(e.Message)}", e); }
        try
        {
            var corpus = Corpus.Load(corpusPath);
            if (spec.MaxSentences is int max) corpus = corpus.FirstSentences(max);
            var aggregation = spec.Aggregation switch { "first" => WordAggregation.First, "mean" => WordAggregation.Mean, _ => WordAggregation.Last };
            var prepared = PreparedExtraction.Start(session, new ExtractionOptions
            {
                Corpus = corpus, HookPoints = spec.HookPoints, OutputDirectory = storeDir, Aggregation = aggregation,
                ModelDirectory = modelDir, BatchSize = spec.BatchSize,
            });
            if (prepared.ModelHash != spec.ModelHash)
                throw new ClusterException($"silo {silo}: the model folder {Named(modelDir, spec.ModelDir)} holds other files than the coordinator's ({prepared.ModelHash} vs {spec.ModelHash})");
            if (prepared.CorpusHash != spec.CorpusHash)
                throw new ClusterException($"silo {silo}: the corpus {Named(corpusPath, spec.CorpusPath)} differs from the coordinator's ({prepared.CorpusHash} vs {spec.CorpusHash})");
            prepared.PlanSequences();
            if (prepared.BatchCount(spec.BatchSize) != spec.BatchCount || prepared.Columns != spec.Columns)
                throw new ClusterException($"silo {silo}: the plan differs from the coordinator's ({prepared.BatchCount(spec.BatchSize)} batches × {prepared.Columns} columns, expected {spec.BatchCount} × {spec.Columns})");
            string folder = Path.Combine(storeDir, "job-" + spec.JobId);
            Directory.CreateDirectory(folder);
            return new SiloJob(spec, session, prepared, aggregation, folder);
        }
        catch
        {
            (session as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Extracts the shard's batches into its file; returns the path and its length in bytes.</summary>
    public (string Path, long Bytes) Extract(ShardSpec shard, CancellationToken cancellation, Action? batchDone = null)
    {
        string path = System.IO.Path.Combine(Folder, $"shard-{shard.Index:D5}.f32");
        string tmp = path + ".tmp";
        long nextRow = shard.FirstRow;
        using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (int b = shard.FirstBatch; b < shard.EndBatch; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                plan.RunBatch(b, Spec.BatchSize, aggregation, (firstRow, values, rows) =>
                {
                    if (firstRow != nextRow) throw new InvalidOperationException($"shard {shard.Index}: row {firstRow}, expected {nextRow}");
                    file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
                    nextRow += rows;
                }, cancellation);
                batchDone?.Invoke();
            }
            file.Flush(flushToDisk: true);
        }
        if (nextRow != shard.EndRow) throw new InvalidOperationException($"shard {shard.Index}: ended at row {nextRow}, expected {shard.EndRow}");
        File.Move(tmp, path, overwrite: true);
        return (path, new FileInfo(path).Length);
    }

    public void Dispose() => (session as IDisposable)?.Dispose();
}
