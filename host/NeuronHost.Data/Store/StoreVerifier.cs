using System.Security.Cryptography;

namespace NeuronHost.Data.Store;

/// <summary>Checks store files against the manifest: length always, SHA-256 when asked.</summary>
public static class StoreVerifier
{
    public static void VerifyShard(string directory, StoreShard shard, bool hash)
    {
        string path = Path.Combine(directory, shard.File);
        if (!File.Exists(path)) throw new StoreFormatException(path, "missing (the manifest lists it as finished)");
        long length = new FileInfo(path).Length;
        if (length != shard.Bytes)
            throw new StoreFormatException(path, $"truncated or damaged: {length} bytes, the manifest says {shard.Bytes} ({shard.Rows} rows)");
        if (!hash) return;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        string sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (sha != shard.Sha256) throw new StoreFormatException(path, $"SHA-256 {sha} does not match the manifest's {shard.Sha256}");
    }

    /// <summary>Verifies every shard and the sidecar; throws naming the first bad file.</summary>
    public static void Verify(string directory, StoreManifest manifest, bool hash = true)
    {
        foreach (var shard in manifest.Shards) VerifyShard(directory, shard, hash);
        string sidecar = Path.Combine(directory, manifest.Sidecar.File);
        if (!File.Exists(sidecar)) throw new StoreFormatException(sidecar, "missing");
        if (new FileInfo(sidecar).Length != manifest.Sidecar.Bytes) throw new StoreFormatException(sidecar, "length differs from the manifest");
        if (hash)
        {
            using var s = File.OpenRead(sidecar);
            if (Convert.ToHexStringLower(SHA256.HashData(s)) != manifest.Sidecar.Sha256)
                throw new StoreFormatException(sidecar, "SHA-256 does not match the manifest");
        }
    }
}
