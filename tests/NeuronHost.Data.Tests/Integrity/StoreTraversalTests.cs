using System.Security.Cryptography;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Interop;
using NeuronHost.Data.Store;
using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests.Integrity;

/// <summary>A manifest may only name plain files inside its store folder. Each case plants a
/// canary outside the folder whose length and SHA-256 the forged manifest records, so length and
/// hash checks alone would accept it: only the file-name rule stands between it and the user.</summary>
public sealed class StoreTraversalTests(RealStore store) : IClassFixture<RealStore>
{
    private const float CanaryValue = 31337.25f;

    public static TheoryData<string> CaseNames => ["shard named ../canary", "shard named by absolute path", "shard symlinked outside",
        "sidecar named ../canary", "sidecar symlinked outside", "shard named with a backslash", "shard named .."];

    [SharedTheory]
    [MemberData(nameof(CaseNames))]
    public void A_file_reference_leading_outside_the_store_is_refused(string name)
    {
        string dir = store.Copy("traversal"), outside = Path.GetDirectoryName(dir)!;
        string shardCanary = Path.Combine(outside, "canary.bin"), sidecarCanary = Path.Combine(outside, "canary.tsv");
        WriteCanaries(dir, shardCanary, sidecarCanary);
        string key = name.StartsWith("sidecar") ? "sidecar.file" : "shards[0].file";
        switch (name)
        {
            case "shard named ../canary": Forge(dir, "shards", "../canary.bin", shardCanary); break;
            case "shard named by absolute path": Forge(dir, "shards", shardCanary, shardCanary); break;
            case "shard named with a backslash": Forge(dir, "shards", "..\\canary.bin", shardCanary); break;
            case "shard named ..": Forge(dir, "shards", "..", shardCanary); break;
            case "sidecar named ../canary": Forge(dir, "sidecar", "../canary.tsv", sidecarCanary); break;
            case "shard symlinked outside":
                Forge(dir, "shards", "shard-00000.bin", shardCanary);
                File.Delete(Path.Combine(dir, "shard-00000.bin"));
                File.CreateSymbolicLink(Path.Combine(dir, "shard-00000.bin"), shardCanary);
                key = "shard-00000.bin";
                break;
            case "sidecar symlinked outside":
                Forge(dir, "sidecar", "tokens.tsv", sidecarCanary);
                File.Delete(Path.Combine(dir, "tokens.tsv"));
                File.CreateSymbolicLink(Path.Combine(dir, "tokens.tsv"), "../canary.tsv");
                key = "tokens.tsv";
                break;
        }

        foreach (bool verify in new[] { true, false })
        {
            var e = Assert.Throws<StoreFormatException>(() => ActivationStore.Open(dir, verify));
            Assert.Contains(key, e.Message);
            Assert.Contains(StoreManifest.FileName, e.Message);
            Assert.True(e.Message.Contains("outside") || e.Message.Contains("plain file name") || e.Message.Contains("not a file name"), e.Message);
        }
        Assert.Throws<StoreFormatException>(() => ExtractionJob.Run(store.Session, store.Options(dir)));
        string export = Path.Combine(outside, "export");
        Assert.Throws<StoreFormatException>(() => StoreExport.Run(new ExportOptions { StoreDirectory = dir, OutputDirectory = export, VerifyHashes = false }));
        Assert.False(Directory.Exists(export)); // so the canary's values reached no output
        Assert.True(File.Exists(shardCanary) && File.Exists(sidecarCanary)); // and nothing outside was touched
    }

    [SharedFact]
    public void A_symlink_to_a_file_inside_the_store_is_accepted()
    {
        // the control: the rule is about where a file is, not about symlinks as such
        string dir = store.Copy("inside-link");
        Directory.CreateDirectory(Path.Combine(dir, "kept"));
        File.Move(Path.Combine(dir, "shard-00001.bin"), Path.Combine(dir, "kept", "shard-00001.bin"));
        File.CreateSymbolicLink(Path.Combine(dir, "shard-00001.bin"), Path.Combine("kept", "shard-00001.bin"));
        using var opened = ActivationStore.Open(dir);
        Assert.Equal(3, opened.BlockCount);
    }

    /// <summary>Canaries with the store's shapes: a shard of <see cref="CanaryValue"/>s and a
    /// tokens.tsv whose words are all "CANARY".</summary>
    private static void WriteCanaries(string dir, string shard, string sidecar)
    {
        var values = new float[new FileInfo(Path.Combine(dir, "shard-00000.bin")).Length / 4];
        Array.Fill(values, CanaryValue);
        File.WriteAllBytes(shard, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        var lines = File.ReadAllLines(Path.Combine(dir, "tokens.tsv"));
        for (int i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split('\t');
            cells[4] = "CANARY";
            lines[i] = string.Join('\t', cells);
        }
        File.WriteAllText(sidecar, string.Join('\n', lines) + "\n");
    }

    /// <summary>Points shards[0] or the sidecar at <paramref name="name"/> and records the
    /// canary's length and SHA-256 for it.</summary>
    private static void Forge(string dir, string what, string name, string canary)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(canary)));
        long bytes = new FileInfo(canary).Length;
        StoreCorruptionTests.Manifest(dir, m =>
        {
            var entry = what == "shards" ? m["shards"]![0]! : m["sidecar"]!;
            entry["file"] = name;
            entry["sha256"] = sha;
            entry["bytes"] = bytes;
        });
    }
}
