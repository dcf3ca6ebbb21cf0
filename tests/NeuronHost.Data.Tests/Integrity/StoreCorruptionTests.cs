using System.Text;
using System.Text.Json.Nodes;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Interop;
using NeuronHost.Data.Store;
using NeuronHost.Tests.Common;

namespace NeuronHost.Data.Tests.Integrity;

/// <summary>Every byte-level change to a real store, and every broken manifest, is caught before
/// the store is used: opening it (export, rank) and extracting into it again (reuse) each throw
/// one <see cref="StoreFormatException"/> naming the file or the manifest key — never a silent
/// "Reused" — and leave the files as they were.</summary>
public sealed class StoreCorruptionTests(RealStore store) : IClassFixture<RealStore>
{
    /// <summary>name → (change made to a copy of the store, text the error must contain).</summary>
    private static readonly Dictionary<string, (Action<string> Damage, string[] Named)> Cases = new()
    {
        ["byte flipped in shard 0"] = (d => Flip(d, "shard-00000.bin"), ["shard-00000.bin", "SHA-256"]),
        ["byte flipped in shard 1"] = (d => Flip(d, "shard-00001.bin"), ["shard-00001.bin", "SHA-256"]),
        ["byte flipped in shard 2"] = (d => Flip(d, "shard-00002.bin"), ["shard-00002.bin", "SHA-256"]),
        ["byte flipped in tokens.tsv"] = (d => Flip(d, "tokens.tsv"), ["tokens.tsv", "SHA-256"]),
        ["shard 1 all NaN, same length"] = (d => AllNaN(d, "shard-00001.bin"), ["shard-00001.bin", "SHA-256"]),
        ["a word edited, same length"] = (EditWord, ["tokens.tsv", "SHA-256"]),
        ["five labels changed, same length"] = (ChangeLabels, ["tokens.tsv", "SHA-256"]),
        ["a shard's recorded hash changed"] = (d => Manifest(d, m => m["shards"]![0]!["sha256"] = OtherHex((string)m["shards"]![0]!["sha256"]!)), ["shard-00000.bin", "SHA-256"]),
        ["shard truncated by one byte"] = (d => Truncate(d, "shard-00002.bin"), ["shard-00002.bin", "truncated"]),
        ["tokens.tsv deleted"] = (d => File.Delete(Path.Combine(d, "tokens.tsv")), ["tokens.tsv", "missing"]),
        ["shard deleted"] = (d => File.Delete(Path.Combine(d, "shard-00001.bin")), ["shard-00001.bin", "missing"]),
        ["rowsPerShard 0"] = (d => Manifest(d, m => m["rowsPerShard"] = 0), ["manifest.json", "rowsPerShard", "must be positive"]),
        ["rowsPerShard negative"] = (d => Manifest(d, m => m["rowsPerShard"] = -64), ["manifest.json", "rowsPerShard"]),
        ["firstRow shifted"] = (d => Manifest(d, m => m["shards"]![1]!["firstRow"] = (long)m["shards"]![1]!["firstRow"]! + 1), ["manifest.json", "shards[1].firstRow"]),
        ["shard entry duplicated"] = (d => Manifest(d, m => m["shards"]!.AsArray().Insert(1, m["shards"]![0]!.DeepClone())), ["manifest.json", "shards[1].file", "listed twice"]),
        ["shard entry duplicated with its rows moved on"] = (d => Manifest(d, m =>
            {
                var copy = m["shards"]![0]!.DeepClone();
                copy["firstRow"] = RealStore.RowsPerShard;
                m["shards"]![1] = copy;
            }), ["manifest.json", "shards[1].file", "listed twice"]),
        ["totalRows negative"] = (d => Manifest(d, m => m["totalRows"] = -1), ["manifest.json", "totalRows"]),
        ["totalRows overflowing"] = (d => Manifest(d, m => m["totalRows"] = long.MaxValue), ["manifest.json", "totalRows"]),
        ["shard rows negative"] = (d => Manifest(d, m => m["shards"]![0]!["rows"] = -5), ["manifest.json", "shards[0].rows"]),
        ["shard bytes beyond long"] = (d => ManifestText(d, t => t.Replace($"\"bytes\": {RealStore.RowsPerShard * 4096 * 4}", "\"bytes\": 1e30")), ["manifest.json", "not a valid manifest"]),
        ["columns overflowing"] = (d => Manifest(d, m => m["columns"] = int.MaxValue), ["manifest.json", "columns"]),
        ["hook point width negative"] = (d => Manifest(d, m => m["hookPoints"]![0]!["width"] = -1024), ["manifest.json", "hookPoints[0].width"]),
        ["split beyond the rows"] = (d => Manifest(d, m => m["splits"]![0]!["rows"] = 100000), ["manifest.json", "splits[0]"]),
        ["shard list null"] = (d => Manifest(d, m => m["shards"] = null), ["manifest.json", "not a valid manifest"]),
        ["shard entry null"] = (d => Manifest(d, m => m["shards"]![1] = null), ["manifest.json", "shards[1]"]),
        ["complete with a shard missing from the list"] = (d => Manifest(d, m => m["shards"]!.AsArray().RemoveAt(2)), ["manifest.json", "complete"]),
        ["batchSize 0 (resume would loop)"] = (d => Manifest(d, m => m["extraction"]!["batchSize"] = 0), ["manifest.json", "extraction.batchSize"]),
        ["text sentences negative"] = (d => Manifest(d, m => m["extraction"]!["textSentences"] = -1), ["manifest.json", "extraction.textSentences"]),
        ["text fallback count negative"] = (d => Manifest(d, m => m["extraction"]!["textFallbacks"] = new System.Text.Json.Nodes.JsonObject { ["forms do not match # text"] = -5 }),
            ["manifest.json", "extraction.textFallbacks"]),
        ["manifest emptied"] = (d => File.WriteAllBytes(Path.Combine(d, "manifest.json"), []), ["manifest.json", "not a valid manifest"]),
        ["manifest not JSON"] = (d => File.WriteAllText(Path.Combine(d, "manifest.json"), "{\"format\": \"neuronhost-activation-store\", "), ["manifest.json", "not a valid manifest"]),
        ["manifest a symlink to /dev/zero"] = (d => { File.Delete(Path.Combine(d, "manifest.json")); File.CreateSymbolicLink(Path.Combine(d, "manifest.json"), "/dev/zero"); },
            ["manifest.json", "outside"]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [SharedTheory]
    [MemberData(nameof(CaseNames))]
    public void Damage_is_named_before_the_store_is_used(string name)
    {
        string dir = store.Copy("damage");
        Cases[name].Damage(dir);
        var before = Snapshot(dir);

        var opened = Assert.Throws<StoreFormatException>(() => ActivationStore.Open(dir));
        foreach (var text in Cases[name].Named) Assert.Contains(text, opened.Message);

        // extract into it again: the same model, corpus and settings would otherwise reuse it
        var extracted = Assert.Throws<StoreFormatException>(() => ExtractionJob.Run(store.Session, store.Options(dir)));
        foreach (var text in Cases[name].Named) Assert.Contains(text, extracted.Message);

        string outDir = Path.Combine(Path.GetDirectoryName(dir)!, "export");
        Assert.Throws<StoreFormatException>(() => StoreExport.Run(new ExportOptions { StoreDirectory = dir, OutputDirectory = outDir }));
        Assert.False(Directory.Exists(outDir));
        Assert.Equal(before, Snapshot(dir)); // nothing deleted, rewritten or added
    }

    [SharedFact]
    public void The_untouched_copy_is_reused_and_opens()
    {
        // the control for the cases above: without damage the same calls succeed
        string dir = store.Copy("control");
        Assert.Equal(StoreOpenState.Reused, ExtractionJob.Run(store.Session, store.Options(dir)).State);
        using var opened = ActivationStore.Open(dir);
        Assert.Equal(3, opened.BlockCount);
        Assert.Equal(RealStore.Sentences, opened.Tokens.SentenceIds.Count);
    }

    [SharedTheory]
    [InlineData("shard-00000.bin")]
    [InlineData("tokens.tsv")]
    public void A_damaged_file_of_an_interrupted_store_stops_the_resume(string file)
    {
        string dir = InterruptedCopy();
        Flip(dir, file);
        var before = Snapshot(dir);
        var e = Assert.Throws<StoreFormatException>(() => ExtractionJob.Run(store.Session, store.Options(dir)));
        Assert.Contains(file, e.Message);
        Assert.Equal(before, Snapshot(dir));
    }

    [SharedFact]
    public void An_undamaged_interrupted_store_resumes_to_the_pristine_bytes()
    {
        string dir = InterruptedCopy();
        var result = ExtractionJob.Run(store.Session, store.Options(dir));
        Assert.Equal(StoreOpenState.Resumed, result.State);
        Assert.Equal(1, result.ShardsWritten);
        foreach (var file in Directory.GetFiles(store.Pristine).Select(Path.GetFileName).Where(f => f != StoreLock.FileName))
            Assert.Equal(File.ReadAllBytes(Path.Combine(store.Pristine, file!)), File.ReadAllBytes(Path.Combine(dir, file!)));
    }

    /// <summary>The pristine store as a crash after its second shard leaves it.</summary>
    private string InterruptedCopy()
    {
        string dir = store.Copy("interrupted");
        Manifest(dir, m => { m["shards"]!.AsArray().RemoveAt(2); m["complete"] = false; });
        File.Delete(Path.Combine(dir, "shard-00002.bin"));
        return dir;
    }

    internal static void Flip(string dir, string file)
    {
        string path = Path.Combine(dir, file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2 + 1] ^= 0x10;
        File.WriteAllBytes(path, bytes);
    }

    private static string OtherHex(string sha) => (sha[0] == '0' ? "1" : "0") + sha[1..];

    private static void Truncate(string dir, string file)
    {
        string path = Path.Combine(dir, file);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^1]);
    }

    private static void AllNaN(string dir, string file)
    {
        string path = Path.Combine(dir, file);
        var nan = new float[new FileInfo(path).Length / 4];
        Array.Fill(nan, float.NaN);
        File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(nan.AsSpan()).ToArray());
    }

    private static void EditWord(string dir)
    {
        string path = Path.Combine(dir, "tokens.tsv");
        var lines = File.ReadAllLines(path);
        int line = Enumerable.Range(5, lines.Length - 5).First(i => lines[i].Split('\t')[4].All(char.IsAsciiLetter));
        var cells = lines[line].Split('\t');
        cells[4] = new string('x', cells[4].Length); // the form, same byte length
        lines[line] = string.Join('\t', cells);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    private static void ChangeLabels(string dir)
    {
        string path = Path.Combine(dir, "tokens.tsv");
        var lines = File.ReadAllLines(path);
        int changed = 0;
        for (int i = 1; i < lines.Length && changed < 5; i++)
        {
            var cells = lines[i].Split('\t');
            if (cells[11] != "NOUN") continue;
            cells[11] = "VERB";
            lines[i] = string.Join('\t', cells);
            changed++;
        }
        Assert.Equal(5, changed);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    internal static void Manifest(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, StoreManifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    private static void ManifestText(string dir, Func<string, string> edit)
    {
        string path = Path.Combine(dir, StoreManifest.FileName);
        string before = File.ReadAllText(path), after = edit(before);
        Assert.NotEqual(before, after);
        File.WriteAllText(path, after);
    }

    internal static Dictionary<string, string> Snapshot(string dir) =>
        Directory.GetFileSystemEntries(dir).Where(p => Path.GetFileName(p) != StoreLock.FileName).ToDictionary(p => Path.GetFileName(p), p =>
            new FileInfo(p).LinkTarget is { } link ? "link:" + link : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p))));
}
