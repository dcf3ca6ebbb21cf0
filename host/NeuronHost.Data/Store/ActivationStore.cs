using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using NeuronHost.Data.Tasks;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Store;

/// <summary>A finished activation store opened for reading: an <see cref="IActivationMatrix"/>
/// [TotalRows, Columns] whose blocks are its shards, memory-mapped (float32 blocks point straight
/// into the mapping; float16 ones are converted into fresh arrays that live as long as the caller
/// holds them, so a block stays valid however much is read after it). Only a few shards stay
/// resident at a time, so streaming passes over stores larger than RAM keep a bounded RSS.
/// Row subsets (<see cref="SelectRows"/>, <see cref="SplitView"/>) serve task splits.</summary>
public sealed class ActivationStore : IActivationMatrix, IDisposable
{
    /// <summary>Shards kept resident (not yet released) at once.</summary>
    private const int ResidentShards = 3;

    private readonly MappedShard[] shards;
    private readonly Queue<int> resident = new();
    private readonly object gate = new();
    private TokenTable? tokens;
    private string[]? sidecarLabels;

    public string Directory { get; }
    public StoreManifest Manifest { get; }
    public long Rows => Manifest.TotalRows;
    public int Columns => Manifest.Columns;
    public IReadOnlyList<NeuronRef> Neurons { get; }
    public int BlockCount => shards.Length;

    private ActivationStore(string directory, StoreManifest manifest, MappedShard[] shards)
    {
        Directory = directory;
        Manifest = manifest;
        this.shards = shards;
        Neurons = manifest.HookPoints.SelectMany(h => Enumerable.Range(0, h.Width).Select(i => new NeuronRef(h.Name, i))).ToArray();
    }

    /// <summary>Opens a complete store. The manifest is validated as a whole first
    /// (<see cref="StoreManifestRules"/>), then every file it lists must be inside the folder and of
    /// the recorded length, and — unless <paramref name="verifyHashes"/> is false — of the recorded
    /// SHA-256 (one streaming read of the whole store). Any failure throws
    /// <see cref="StoreFormatException"/> naming the file (and the manifest key) before anything is mapped.</summary>
    public static ActivationStore Open(string directory, bool verifyHashes = true,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        string manifestPath = Path.Combine(directory, StoreManifest.FileName);
        var manifest = StoreManifest.Read(manifestPath);
        if (!manifest.Complete)
            throw new StoreFormatException(manifestPath, $"incomplete store ({manifest.FinishedRows} of {manifest.TotalRows} rows): rerun the extraction to resume it");
        StoreVerifier.Verify(directory, manifest, verifyHashes, progress, cancellation);
        var mapped = new List<MappedShard>();
        try
        {
            foreach (var shard in manifest.Shards)
                mapped.Add(new MappedShard(StoreVerifier.Locate(directory, shard.File), shard.Bytes));
        }
        catch
        {
            foreach (var m in mapped) m.Dispose();
            throw;
        }
        return new ActivationStore(directory, manifest, mapped.ToArray());
    }

    /// <summary>Throws <see cref="StoreMismatchException"/> when the store was not made by this
    /// model (identity as <see cref="ModelInfo.Identity"/>).</summary>
    public void EnsureModel(string modelIdentity)
    {
        if (Manifest.Model.Identity != modelIdentity)
            throw new StoreMismatchException(Path.Combine(Directory, StoreManifest.FileName),
                $"model '{Manifest.Model.Identity}', not '{modelIdentity}'");
    }

    /// <summary>The words and annotations of every row (tokens.tsv), read once.</summary>
    public TokenTable Tokens
    {
        get
        {
            if (tokens is null)
            {
                string path = StoreVerifier.Locate(Directory, Manifest.Sidecar.File);
                var (table, labels) = TokenSidecar.Read(path);
                if (table.Rows != Rows)
                    throw new StoreFormatException(path, $"{table.Rows} rows, the store has {Rows}");
                tokens = table; sidecarLabels = labels;
            }
            return tokens;
        }
    }

    /// <summary>The extraction task's label of each row ("" where none), from tokens.tsv.</summary>
    public IReadOnlyList<string> SidecarLabels { get { _ = Tokens; return sidecarLabels!; } }

    public ActivationBlock GetBlock(int index)
    {
        var shard = Manifest.Shards[index];
        return new ActivationBlock(shard.FirstRow, shard.Rows, Columns, ShardFloats(index));
    }

    /// <summary>All values of shard <paramref name="index"/> as floats (mapped or converted).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal unsafe ReadOnlyMemory<float> ShardFloats(int index)
    {
        Touch(index);
        var shard = Manifest.Shards[index];
        int count = shard.Rows * Columns;
        if (Manifest.DType == StoreDType.Float32)
            return new UnmanagedFloats((float*)shards[index].Pointer, count).Memory;
        // A fresh array, not a pooled one: the SDK promises a block stays valid until the matrix is
        // disposed, and only the GC knows when a plugin has let go of it.
        var buffer = GC.AllocateUninitializedArray<float>(count);
        TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(shards[index].Pointer, count), buffer.AsSpan(0, count));
        return buffer.AsMemory(0, count);
    }

    /// <summary>Copies row <paramref name="row"/>'s values into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal unsafe void CopyRow(long row, Span<float> destination, int shardIndex)
    {
        var shard = Manifest.Shards[shardIndex];
        long offset = (row - shard.FirstRow) * Columns;
        if (Manifest.DType == StoreDType.Float32)
            new ReadOnlySpan<float>((float*)shards[shardIndex].Pointer + offset, Columns).CopyTo(destination);
        else
            TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>((Half*)shards[shardIndex].Pointer + offset, Columns), destination);
    }

    internal int ShardOf(long row) => (int)(row / Manifest.RowsPerShard);

    /// <summary>Marks a shard as in use; the oldest beyond <see cref="ResidentShards"/> gives its
    /// pages back (they reload on demand).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Touch(int index)
    {
        lock (gate)
        {
            if (resident.Contains(index)) return;
            resident.Enqueue(index);
            while (resident.Count > ResidentShards) shards[resident.Dequeue()].Release();
        }
    }

    /// <summary>Gives every resident shard's pages back (an idle plugin worker calls this, so the
    /// store pages it read stop counting in its RSS); they reload from the page cache on demand.</summary>
    public void ReleaseResident()
    {
        lock (gate)
        {
            while (resident.Count > 0) shards[resident.Dequeue()].Release();
        }
    }

    /// <summary>A view of the given rows (ascending) as a matrix, blocks of at most one shard's rows.</summary>
    public IActivationMatrix SelectRows(long[] rows) => new StoreRowView(this, rows);

    /// <summary>The rows of a corpus split ("train", "dev", "test", "all"…).</summary>
    public IActivationMatrix SplitView(string split)
    {
        var s = Manifest.Splits.FirstOrDefault(x => x.Name == split)
            ?? throw new ArgumentException($"store has no split '{split}' (it has {string.Join(", ", Manifest.Splits.Select(x => x.Name))})");
        var rows = new long[s.Rows];
        for (long i = 0; i < s.Rows; i++) rows[i] = s.FirstRow + i;
        return new StoreRowView(this, rows);
    }

    /// <summary>Where a matrix's rows live when it reads a store (the store itself or a row view of
    /// it): the store folder and the store rows in matrix order (null: all rows). Null for other
    /// matrices. Lets another process map the same shards instead of receiving a copy.</summary>
    public static StoreRowsLocation? Locate(IActivationMatrix matrix) => matrix switch
    {
        ActivationStore store => new StoreRowsLocation(store.Directory, null),
        StoreRowView view => new StoreRowsLocation(view.Store.Directory, view.RowArray),
        _ => null,
    };

    public void Dispose()
    {
        foreach (var s in shards) s.Dispose();
    }
}

/// <summary>A store folder and the rows of it a matrix reads (null: every row, in order).</summary>
public sealed record StoreRowsLocation(string Directory, long[]? Rows);
