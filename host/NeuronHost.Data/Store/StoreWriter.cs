using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Store;

public enum StoreOpenState
{
    /// <summary>A new store was started (the directory was empty, absent, or replaced with Force).</summary>
    Created,
    /// <summary>An interrupted store with the same identity continues from its last finished shard.</summary>
    Resumed,
    /// <summary>A complete store with the same identity exists: nothing to compute.</summary>
    Reused,
}

/// <summary>Writes an activation store shard by shard. Rows are appended in order; every
/// <c>RowsPerShard</c> rows become a shard written atomically (".tmp", fsync, rename), then the
/// manifest is rewritten atomically to list it. A finished shard is never touched again.
/// Opening a directory with an unfinished store of the same identity resumes it: appended rows
/// below <see cref="NextRow"/> are skipped, so the caller may recompute from a batch boundary.</summary>
public sealed class StoreWriter : IDisposable
{
    private readonly string directory;
    private readonly StoreLock writerLock;
    private StoreManifest manifest;
    private readonly float[] buffer;
    private byte[]? bytes;
    private long bufferFirstRow;
    private int bufferRows;

    public StoreOpenState State { get; }
    public StoreManifest Manifest => manifest;
    public string Directory => directory;
    /// <summary>The first row not yet in a finished shard (= rows to skip when resuming).</summary>
    public long NextRow => bufferFirstRow + bufferRows;
    public int ShardsWritten { get; private set; }
    /// <summary>Called after each shard is durable and listed in the manifest.</summary>
    public Action<StoreShard>? ShardWritten { get; set; }

    private StoreWriter(string directory, StoreLock writerLock, StoreManifest manifest, StoreOpenState state)
    {
        this.directory = directory;
        this.writerLock = writerLock;
        this.manifest = manifest;
        State = state;
        bufferFirstRow = manifest.FinishedRows;
        buffer = state == StoreOpenState.Reused ? [] : new float[(long)manifest.RowsPerShard * manifest.Columns];
    }

    /// <summary>Opens the store directory for writing <paramref name="wanted"/> (a manifest
    /// without shards), holding its <see cref="StoreLock"/> until disposed (another live writer:
    /// <see cref="StoreBusyException"/>). An existing manifest of the same identity is resumed or
    /// reused after its files are verified (lengths and SHA-256) — its own shard size and
    /// extraction settings win, so the bytes match an uninterrupted run; one of another identity
    /// throws <see cref="StoreMismatchException"/> unless <paramref name="force"/>, which deletes
    /// the old store's files first.</summary>
    /// <param name="sidecar">tokens.tsv content (written before any shard).</param>
    public static StoreWriter Open(string directory, StoreManifest wanted, byte[] sidecar, bool force = false,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new StoreFormatException("store", "the folder's path is empty");
        if ((long)wanted.RowsPerShard * wanted.Columns > Array.MaxLength)
            throw new ArgumentException($"a shard of {wanted.RowsPerShard} rows × {wanted.Columns} columns is too large; lower RowsPerShard");
        System.IO.Directory.CreateDirectory(directory);
        var writerLock = StoreLock.Acquire(directory);
        try
        {
            var (manifest, state) = OpenLocked(directory, wanted, sidecar, force, progress, cancellation);
            return new StoreWriter(directory, writerLock, manifest, state);
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    private static (StoreManifest, StoreOpenState) OpenLocked(string directory, StoreManifest wanted, byte[] sidecar, bool force,
        IProgress<ProgressReport>? progress, CancellationToken cancellation)
    {
        string manifestPath = Path.Combine(directory, StoreManifest.FileName);
        if (File.Exists(manifestPath) || new FileInfo(manifestPath).LinkTarget is not null)
        {
            StoreManifest existing;
            try { existing = StoreManifest.Read(manifestPath); }
            catch (StoreFormatException) when (force) { existing = null!; }
            string? diff = existing is null ? "an unreadable manifest" : existing.DescribeMismatch(wanted);
            if (diff is null)
            {
                // Nothing is reused or resumed on trust: every finished file must match its hash.
                StoreVerifier.Verify(directory, existing!, hash: true, progress, cancellation);
                if (existing!.Complete) return (existing, StoreOpenState.Reused);
                DeleteUnlisted(directory, existing);
                return (existing, StoreOpenState.Resumed);
            }
            if (!force) throw new StoreMismatchException(manifestPath, diff);
            DeleteStoreFiles(directory);
        }
        else
        {
            var foreign = System.IO.Directory.EnumerateFileSystemEntries(directory)
                .Where(p => !IsStoreFile(Path.GetFileName(p))).Take(3).ToArray();
            if (foreign.Length > 0 && !force)
                throw new StoreFormatException(directory, $"not empty and not a store (found {string.Join(", ", foreign.Select(Path.GetFileName))}); choose an empty directory");
            DeleteStoreFiles(directory);
        }
        AtomicFile.WriteAllBytes(Path.Combine(directory, TokenSidecar.FileName), sidecar);
        var fresh = wanted with
        {
            Complete = false,
            Shards = [],
            Sidecar = new StoreSidecar(TokenSidecar.FileName, sidecar.LongLength, Convert.ToHexStringLower(SHA256.HashData(sidecar))),
        };
        AtomicFile.WriteAllBytes(manifestPath, fresh.ToJsonBytes());
        return (fresh, StoreOpenState.Created);
    }

    private static bool IsStoreFile(string name) =>
        name == StoreManifest.FileName || name == TokenSidecar.FileName || name == StoreLock.FileName || name.EndsWith(".tmp", StringComparison.Ordinal)
        || (name.StartsWith("shard-", StringComparison.Ordinal) && name.EndsWith(".bin", StringComparison.Ordinal));

    /// <summary>Deletes the store's own files (never the lock this writer holds, never anything else).</summary>
    private static void DeleteStoreFiles(string directory)
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (IsStoreFile(name) && name != StoreLock.FileName) File.Delete(path);
        }
    }

    /// <summary>Leftovers of a crash (a .tmp, or a shard renamed before the manifest listed it)
    /// are not finished shards: they are recomputed. Safe only under the lock: no live writer
    /// can own them.</summary>
    private static void DeleteUnlisted(string directory, StoreManifest manifest)
    {
        var listed = manifest.Shards.Select(s => s.File).ToHashSet();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(".tmp", StringComparison.Ordinal) || (name.StartsWith("shard-") && name.EndsWith(".bin") && !listed.Contains(name)))
                File.Delete(path);
        }
    }

    /// <summary>Appends <paramref name="rows"/> rows [rows, Columns] that start at store row
    /// <paramref name="firstRow"/>; rows below <see cref="NextRow"/> (already on disk) are skipped.</summary>
    public void Append(long firstRow, ReadOnlySpan<float> values, int rows)
    {
        if (State == StoreOpenState.Reused) throw new InvalidOperationException("the store is complete");
        int columns = manifest.Columns;
        if (values.Length != (long)rows * columns) throw new ArgumentException($"{values.Length} values are not {rows} × {columns}");
        long skip = NextRow - firstRow;
        if (skip < 0) throw new InvalidOperationException($"rows must be appended in order: got row {firstRow}, expected {NextRow}");
        for (long r = skip; r < rows;)
        {
            if (NextRow >= manifest.TotalRows) throw new InvalidOperationException($"more than {manifest.TotalRows} rows appended");
            int take = (int)Math.Min(rows - r, Math.Min(manifest.RowsPerShard - bufferRows, manifest.TotalRows - NextRow));
            values.Slice((int)(r * columns), take * columns).CopyTo(buffer.AsSpan(bufferRows * columns));
            bufferRows += take;
            r += take;
            if (bufferRows == manifest.RowsPerShard || NextRow == manifest.TotalRows) FlushShard();
        }
    }

    private void FlushShard()
    {
        int index = (int)(bufferFirstRow / manifest.RowsPerShard);
        string name = StoreManifest.ShardFileName(index);
        var values = buffer.AsSpan(0, bufferRows * manifest.Columns);
        ReadOnlySpan<byte> data;
        if (manifest.DType == StoreDType.Float32) data = MemoryMarshal.AsBytes(values);
        else
        {
            bytes ??= new byte[buffer.Length * 2];
            var halves = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan(0, values.Length * 2));
            TensorPrimitives.ConvertToHalf(values, halves);
            data = MemoryMarshal.AsBytes(halves);
        }
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("stores are little-endian");
        string sha = Convert.ToHexStringLower(SHA256.HashData(data));
        AtomicFile.WriteAllBytes(Path.Combine(directory, name), data);
        var shard = new StoreShard(name, bufferFirstRow, bufferRows, data.Length, sha);
        bufferFirstRow += bufferRows;
        bufferRows = 0;
        manifest = manifest with { Shards = [.. manifest.Shards, shard], Complete = bufferFirstRow == manifest.TotalRows };
        AtomicFile.WriteAllBytes(Path.Combine(directory, StoreManifest.FileName), manifest.ToJsonBytes());
        ShardsWritten++;
        ShardWritten?.Invoke(shard);
    }

    /// <summary>Checks every row was written and returns the final manifest.</summary>
    public StoreManifest Finish()
    {
        if (State == StoreOpenState.Reused) return manifest;
        if (NextRow != manifest.TotalRows || bufferRows != 0)
            throw new InvalidOperationException($"store has {NextRow} of {manifest.TotalRows} rows");
        return manifest;
    }

    /// <summary>Releases the writer lock; what was written stays.</summary>
    public void Dispose() => writerLock.Dispose();
}
