using System.Security.Cryptography;
using System.Text;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Extraction;

/// <summary>Sentences → tokenizer word alignment → batched forward passes capturing hook points →
/// one vector per word → an activation store on disk. Resumable: if the output directory holds
/// an unfinished store of the same identity, work restarts at the batch containing the first
/// missing row and the finished store is byte-identical to an uninterrupted run. A complete
/// matching store is reused without running the model. Sentences longer than the model's max
/// positions are cut into windows with left context (see the manifest's extraction section).</summary>
public static class ExtractionJob
{
    public const string ProgressStage = "extract";

    /// <summary>Loads the model and its tokenizer from a Hugging Face folder
    /// (<c>ModelLoader.Load</c>, <c>TokenizerLoader.TryLoad</c>) and runs the extraction; the
    /// folder's files are hashed into the manifest.</summary>
    public static ExtractionResult Run(string modelDirectory, ExtractionOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        using var session = NeuronHost.Runtime.Models.ModelLoader.Load(modelDirectory,
            NeuronHost.Runtime.Tokenizers.TokenizerLoader.TryLoad(modelDirectory));
        return Run(session, options with { ModelDirectory = options.ModelDirectory ?? modelDirectory }, progress, cancellation);
    }

    /// <summary>Runs (or resumes, or reuses) the extraction. Progress reports tokens fed to the
    /// model (Done/Total in "tokens"); tokens/s and ETA follow from successive reports.
    /// Cancellation stops between batches: finished shards stay, and running again resumes.</summary>
    public static ExtractionResult Run(IModelSession session, ExtractionOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        var x = PreparedExtraction.Start(session, options);
        if (TryReuse(options, session.Info, x.ModelHash, options.Corpus, x.CorpusHash, x.Hooks, x.Columns, x.Table.Rows, progress, cancellation) is { } reused)
        {
            progress?.Report(new ProgressReport(ProgressStage, 1, 1, "tokens"));
            return reused;
        }
        x.PlanSequences();
        var (plans, stats, wanted, sidecar, table) = (x.Plans, x.Stats, x.Wanted, x.Sidecar, x.Table);

        using var writer = StoreWriter.Open(options.OutputDirectory, wanted, sidecar, options.Force, progress, cancellation);
        var result = new ExtractionResult(options.OutputDirectory, writer.State, 0, table.Rows, stats.ModelTokens, stats.Windowed, stats.Truncated, stats.Empty)
            { TextSentences = stats.TextSentences, TextFallbacks = stats.TextFallbacks };
        if (writer.State == StoreOpenState.Reused)
        {
            progress?.Report(new ProgressReport(ProgressStage, stats.ModelTokens, stats.ModelTokens, "tokens"));
            return result;
        }

        // The store's own settings (for a resumed store, those it was started with).
        var manifest = writer.Manifest;
        int batchSize = manifest.Extraction?.BatchSize ?? Math.Max(1, options.BatchSize);
        int firstPlan = 0;
        while (firstPlan < plans.Count && plans[firstPlan].FirstRow + plans[firstPlan].RowCount <= writer.NextRow) firstPlan++;
        int startBatch = firstPlan / batchSize;
        double done = plans.Take(startBatch * batchSize).Sum(p => (double)p.Ids.Length);
        progress?.Report(new ProgressReport(ProgressStage, done, stats.ModelTokens, "tokens"));

        for (int b = startBatch; b < x.BatchCount(batchSize); b++)
        {
            cancellation.ThrowIfCancellationRequested();
            done += x.RunBatch(b, batchSize, manifest.Aggregation, writer.Append, cancellation);
            progress?.Report(new ProgressReport(ProgressStage, done, stats.ModelTokens, "tokens"));
        }
        writer.Finish();
        return result with { ShardsWritten = writer.ShardsWritten };
    }

    /// <summary>A complete store of the same identity needs no tokenisation at all, once every
    /// file of it matches its recorded SHA-256 (a damaged one throws, naming the file).</summary>
    private static ExtractionResult? TryReuse(ExtractionOptions options, ModelInfo info, string? modelHash, Corpus corpus, string corpusHash,
        IReadOnlyList<StoreHookPoint> hooks, int columns, long rows, IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        string path = Path.Combine(options.OutputDirectory, StoreManifest.FileName);
        if (!File.Exists(path)) return null;
        using var held = StoreLock.Acquire(options.OutputDirectory); // no writer may change it while it is read and checked
        StoreManifest existing;
        try { existing = StoreManifest.Read(path); }
        catch (StoreFormatException) { return null; } // StoreWriter.Open reports it
        var probe = existing with
        {
            Model = new StoreModel(info.Name, info.Family, info.Identity, modelHash),
            Corpus = existing.Corpus with { Hash = corpusHash },
            WordUnit = UnitName(options.Words),
            HookPoints = hooks, Columns = columns, Aggregation = options.Aggregation, DType = options.DType,
        };
        if (!existing.Complete || existing.DescribeMismatch(probe) is not null || existing.TotalRows != rows) return null;
        StoreVerifier.Verify(options.OutputDirectory, existing, hash: true, progress, cancellation);
        var x = existing.Extraction;
        return new ExtractionResult(options.OutputDirectory, StoreOpenState.Reused, 0, rows,
            x?.ModelTokens ?? 0, x?.WindowedSentences ?? 0, x?.TruncatedTokens ?? 0, x?.EmptyWords ?? 0)
        {
            TextSentences = x?.TextSentences ?? 0,
            TextFallbacks = x?.TextFallbacks ?? new Dictionary<string, int>(),
            TextRecorded = x?.TextSentences is not null,
        };
    }

    /// <summary>"sha256:…" over the model's weight, config and vocabulary files (names and bytes).</summary>
    public static string HashModelDirectory(string directory)
    {
        var files = Directory.GetFiles(directory)
            .Where(f => Path.GetFileName(f) is var n && (n == "config.json" || n.EndsWith(".safetensors") || n.StartsWith("vocab.") || n == "merges.txt"
                || n.StartsWith("tokenizer") || n.EndsWith(".model")))
            .Order(StringComparer.Ordinal).ToArray();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) sha.AppendData(buffer, 0, n);
        }
        return "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The manifest's name of a word unit.</summary>
    public static string UnitName(WordUnit unit) => unit switch { WordUnit.Surface => "surface", WordUnit.Text => "text", _ => "syntactic" };
}
