using NeuronHost.Data.Store;
using System.Diagnostics;
using System.Globalization;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Benchmarks.Store;

/// <summary>Options of <see cref="StoreBenchmark.Run"/> (<c>neuronhost bench store</c>).</summary>
public sealed record StoreBenchOptions
{
    /// <summary>The folder the benchmark works in: it creates a new, uniquely named store folder
    /// inside it and removes only that one. Nothing else in this folder is touched.</summary>
    public required string Directory { get; init; }
    /// <summary>Store size to build (default 3 GiB).</summary>
    public long TargetBytes { get; init; } = 3L << 30;
    /// <summary>Neurons per row (default 4096 = four GPT-2-small-like FFN layers of 1024).</summary>
    public int Columns { get; init; } = 4096;
    public int Classes { get; init; } = 8;
    public StoreDType DType { get; init; } = StoreDType.Float32;
    /// <summary>Rows per shard; 0 = about 32 MiB per shard.</summary>
    public int RowsPerShard { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>Delete the benchmark's own store folder afterwards (default true).</summary>
    public bool DeleteAfter { get; init; } = true;
}

/// <summary>Sizes and peak resident memory of a bench run. Peaks are VmHWM from
/// /proc/self/status, reset before each phase through /proc/self/clear_refs where the kernel allows.</summary>
public sealed record StoreBenchResult(
    string StoreDirectory, long StoreBytes, long Rows, int Columns, int Shards,
    double WriteSeconds, double MomentsSeconds,
    long PeakRssWriteBytes, long PeakRssMomentsBytes, bool PeakWasReset,
    string Backend, ClassMoments Moments)
{
    /// <summary>The process's RSS when the benchmark began, after a full garbage collection: what
    /// the peaks include that the benchmark did not allocate (earlier work in the same process).</summary>
    public long StartRssBytes { get; init; }

    public string Describe() => FormattableString.Invariant(
        $"store {StoreBytes / (double)(1 << 20):F0} MiB ({Rows} rows × {Columns} neurons, {Shards} shards): written in {WriteSeconds:F1} s (peak RSS {PeakRssWriteBytes / (double)(1 << 20):F0} MiB), class moments [{Backend}] in {MomentsSeconds:F1} s (peak RSS {PeakRssMomentsBytes / (double)(1 << 20):F0} MiB{(PeakWasReset ? "" : ", process lifetime peak")}); the process held {StartRssBytes / (double)(1 << 20):F0} MiB before it began");
}

/// <summary>Shows that streaming over a store larger than memory keeps memory bounded: writes a
/// synthetic store shard by shard (row r has class r's seeded label, values = 0.5·label +
/// 0.1·(j mod 7) + uniform noise in [−1, 1)), then computes class moments block by block and
/// reports peak RSS next to the store size.</summary>
public static class StoreBenchmark
{
    public static StoreBenchResult Run(StoreBenchOptions options, IComputeKernels? kernels = null,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        // A fresh folder of our own: the benchmark never writes into or deletes what it did not create.
        System.IO.Directory.CreateDirectory(options.Directory);
        string storeDir = Path.Combine(options.Directory, $"neuronhost-bench-store-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(storeDir);
        try
        {
            return Run(options, storeDir, kernels, progress, cancellation);
        }
        finally
        {
            if (options.DeleteAfter) System.IO.Directory.Delete(storeDir, recursive: true);
        }
    }

    private static StoreBenchResult Run(StoreBenchOptions options, string storeDir, IComputeKernels? kernels,
        IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        int columns = options.Columns;
        int bytesPerValue = options.DType == StoreDType.Float16 ? 2 : 4;
        long rows = Math.Max(1, options.TargetBytes / ((long)columns * bytesPerValue));
        int rowsPerShard = options.RowsPerShard > 0 ? options.RowsPerShard : Math.Max(1, (32 << 20) / (columns * 4));
        var labels = new int[rows];
        var rng = new SeededRandom(options.Seed);
        for (long r = 0; r < rows; r++) labels[r] = rng.Next(options.Classes);

        var table = SyntheticTable(labels);
        var manifest = new StoreManifest
        {
            Model = new StoreModel("synthetic", "synthetic", $"synthetic-seed{options.Seed}", null),
            Corpus = new StoreCorpus("synthetic", "synthetic", $"synthetic:{rows}x{columns}:{options.Classes}:{options.Seed}", []),
            WordUnit = "syntactic",
            HookPoints = [new StoreHookPoint("synthetic", columns, 0)],
            Columns = columns, Aggregation = WordAggregation.First, DType = options.DType,
            RowsPerShard = rowsPerShard, TotalRows = rows,
            Splits = [new StoreSplit("all", 0, rows, table.Sentences)],
            Sidecar = new StoreSidecar(TokenSidecar.FileName, 0, ""),
        };

        // Peaks from here: what earlier work in this process left (bench all runs this last) is
        // collected and returned to the system first.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        long startRss = CurrentRss();
        bool reset = ResetPeak();
        var clock = Stopwatch.StartNew();
        using (var writer = StoreWriter.Open(storeDir, manifest, TokenSidecar.ToBytes(table, labels.Select(l => (string?)$"c{l}").ToArray()), force: true))
        {
            var chunk = new float[Math.Min(rowsPerShard, 1024) * columns];
            var noise = new SeededRandom(options.Seed + 1);
            int chunkRows = chunk.Length / columns;
            for (long r = writer.NextRow; r < rows; r += chunkRows)
            {
                cancellation.ThrowIfCancellationRequested();
                int n = (int)Math.Min(chunkRows, rows - r);
                for (int i = 0; i < n; i++)
                {
                    float baseValue = 0.5f * labels[r + i];
                    var row = chunk.AsSpan(i * columns, columns);
                    for (int j = 0; j < columns; j++) row[j] = baseValue + 0.1f * (j % 7) + (float)(noise.NextDouble() * 2 - 1);
                }
                writer.Append(r, chunk.AsSpan(0, n * columns), n);
                progress?.Report(new ProgressReport("bench: write", r + n, rows, "rows"));
            }
            writer.Finish();
        }
        double writeSeconds = clock.Elapsed.TotalSeconds;
        long peakWrite = PeakRss();

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        bool reset2 = ResetPeak();
        clock.Restart();
        ClassMoments moments;
        string backend;
        long storeBytes;
        int shards;
        using (var store = ActivationStore.Open(storeDir, verifyHashes: false)) // just written above; the timing is of the moments pass
        {
            storeBytes = store.Manifest.Shards.Sum(s => s.Bytes);
            shards = store.Manifest.Shards.Count;
            progress?.Report(new ProgressReport("bench: moments", 0, rows, "rows"));
            if (kernels is not null) { moments = kernels.ClassMoments(store, labels, options.Classes, cancellation); backend = kernels.Backend; }
            else { moments = StreamingMoments.Compute(store, labels, options.Classes, cancellation); backend = "naive streaming"; }
            progress?.Report(new ProgressReport("bench: moments", rows, rows, "rows"));
        }
        double momentsSeconds = clock.Elapsed.TotalSeconds;
        long peakMoments = PeakRss();
        return new StoreBenchResult(storeDir, storeBytes, rows, columns, shards, writeSeconds, momentsSeconds, peakWrite, peakMoments,
            reset && reset2, backend, moments) { StartRssBytes = startRss };
    }

    private static TokenTable SyntheticTable(int[] labels)
    {
        const int perSentence = 20;
        int sentences = (labels.Length + perSentence - 1) / perSentence;
        var rowSentence = new int[labels.Length]; var rowWord = new int[labels.Length];
        var words = new AnnotatedWord[labels.Length];
        var names = new[] { "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9" };
        for (int r = 0; r < labels.Length; r++)
        {
            rowSentence[r] = r / perSentence; rowWord[r] = r % perSentence;
            string label = labels[r] < names.Length ? names[labels[r]] : "c" + labels[r];
            words[r] = new AnnotatedWord("w", Upos: label);
        }
        return new TokenTable(Enumerable.Range(0, sentences).Select(s => "s" + s).ToArray(),
            Enumerable.Repeat("all", sentences).ToArray(), rowSentence, rowWord, words);
    }

    /// <summary>VmHWM (peak resident set) of this process in bytes, 0 where /proc is absent.</summary>
    public static long PeakRss() => ReadStatus("VmHWM:");

    public static long CurrentRss() => ReadStatus("VmRSS:");

    private static long ReadStatus(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    /// <summary>Resets VmHWM to the current RSS (Linux: "5" into /proc/self/clear_refs).</summary>
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
