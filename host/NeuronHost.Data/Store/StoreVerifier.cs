using System.Security.Cryptography;
using NeuronHost.Runtime.Files;
using NeuronHost.Sdk;

namespace NeuronHost.Data.Store;

/// <summary>Checks the files a (validated) manifest lists: each must be a file inside the store
/// folder (a symlink may not lead out), of the recorded length, and — when hashing — of the
/// recorded SHA-256, read in a streaming pass (1 MiB at a time; progress in MB after each file
/// and every 64 MiB; cancellable).</summary>
public static class StoreVerifier
{
    public const string ProgressStage = "verify store";
    private const int ChunkBytes = 1 << 20;

    /// <summary>The path of a file the manifest names, once it is known to be a plain name of a
    /// file inside <paramref name="directory"/>; otherwise a <see cref="StoreFormatException"/>.</summary>
    public static string Locate(string directory, string name)
    {
        var (path, problem) = FolderFile.Locate(directory, name);
        if (problem is null) return path;
        if (problem == "missing") throw new StoreFormatException(path, "missing (the manifest lists it)");
        throw new StoreFormatException(Path.Combine(directory, StoreManifest.FileName), $"file '{FolderFile.Shown(name)}'", problem);
    }

    /// <summary>Verifies every shard and the sidecar; throws naming the first bad file.</summary>
    public static void Verify(string directory, StoreManifest manifest, bool hash = true,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        var problems = Check(directory, manifest, hash, progress, cancellation, stopAtFirst: true);
        if (problems.Count > 0) throw problems[0];
    }

    /// <summary>Every bad file of the store (missing, outside, wrong length, wrong hash), in
    /// manifest order; empty when all match.</summary>
    public static IReadOnlyList<StoreFormatException> Check(string directory, StoreManifest manifest, bool hash,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default, bool stopAtFirst = false)
    {
        var files = manifest.Shards.Select(s => (s.File, s.Bytes, s.Sha256))
            .Append((manifest.Sidecar.File, manifest.Sidecar.Bytes, manifest.Sidecar.Sha256)).ToArray();
        double totalMB = files.Sum(f => (double)f.Bytes) / 1e6;
        long hashed = 0, reported = 0;
        void Advance(int bytes)
        {
            hashed += bytes;
            if (progress is null || hashed - reported < 64 << 20) return;
            reported = hashed;
            progress.Report(new ProgressReport(ProgressStage, hashed / 1e6, totalMB, "MB"));
        }
        var problems = new List<StoreFormatException>();
        foreach (var (name, bytes, sha) in files)
        {
            long start = hashed;
            try { VerifyFile(directory, name, bytes, sha, hash, Advance, cancellation); }
            catch (StoreFormatException e)
            {
                problems.Add(e);
                if (stopAtFirst) break;
            }
            hashed = reported = start + bytes; // a file that was skipped or cut short still counts as done
            progress?.Report(new ProgressReport(ProgressStage, hashed / 1e6, totalMB, "MB"));
        }
        return problems;
    }

    private static void VerifyFile(string directory, string name, long bytes, string sha256, bool hash,
        Action<int>? advance, CancellationToken cancellation)
    {
        string path = Locate(directory, name);
        long length = new FileInfo(path).Length;
        if (length != bytes)
            throw new StoreFormatException(path, $"truncated or damaged: {length} bytes, the manifest says {bytes}");
        if (!hash) return;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        long read = 0;
        int n;
        while (read < bytes && (n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, bytes - read))) > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            sha.AppendData(buffer, 0, n);
            read += n;
            advance?.Invoke(n);
        }
        string actual = Convert.ToHexStringLower(sha.GetHashAndReset());
        if (read != bytes) throw new StoreFormatException(path, $"changed while being verified: read {read} of {bytes} bytes");
        if (actual != sha256) throw new StoreFormatException(path, $"damaged: its SHA-256 {actual[..16]}… does not match the manifest's {sha256[..16]}…");
    }
}
