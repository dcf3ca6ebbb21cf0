using System.Text;
using System.Text.Json.Nodes;
using NeuronHost.Data.Corpora;
using NeuronHost.Data.Extraction;
using NeuronHost.Data.Store;
using NeuronHost.Data.Tasks;
using NeuronHost.Fuzz.Tests.Support;
using NeuronHost.Tests.Common;

namespace NeuronHost.Fuzz.Tests;

/// <summary>A real store, extracted once per run from gpt2-mini-brown over 40 EWT sentences in
/// shards of 128 rows, and what reading it gives (the reference every mutated copy is held to).</summary>
public sealed class ExtractedStore : IDisposable
{
    public Scratch Scratch { get; } = new();
    public string Dir => Path.Combine(Scratch.Dir, "store");
    public (float[] Values, string Tokens) Reference { get; }

    public ExtractedStore()
    {
        if (!SharedAssets.Available) return;
        var sentences = ConlluReader.ReadFile(SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu")).Take(40).ToList();
        var corpus = new Corpus("ewt-head", "conllu", [SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu")], [new CorpusSplit("dev", sentences)]);
        ExtractionJob.Run(SharedAssets.Model("gpt2-mini-brown"), new ExtractionOptions
        {
            Corpus = corpus, HookPoints = ["blocks.1.mlp.hook_post"], OutputDirectory = Dir, RowsPerShard = 128, Task = TaskSpec.Upos,
        });
        Reference = StoreFuzzTests.Use(Dir);
    }

    public void Dispose() => Scratch.Dispose();
}

/// <summary>Mutated copies of a real activation store. Every mutation must be refused with a
/// <see cref="StoreFormatException"/> naming the file before the data is used, or (for
/// harmless ones) read back exactly the reference values and tokens: never silently wrong.</summary>
public sealed class StoreFuzzTests(ExtractedStore store) : IClassFixture<ExtractedStore>
{
    /// <summary>Opens the store and reads everything a run would: every block and the token table.</summary>
    internal static (float[] Values, string Tokens) Use(string dir)
    {
        using var opened = ActivationStore.Open(dir);
        var values = new List<float>();
        for (int b = 0; b < opened.BlockCount; b++) values.AddRange(opened.GetBlock(b).Span.ToArray());
        var table = opened.Tokens;
        var tokens = new StringBuilder();
        for (long r = 0; r < table.Rows; r++) tokens.Append(table.Words[r].Form).Append('/').Append(table.Words[r].Upos).Append(' ');
        return (values.ToArray(), tokens.ToString() + string.Join(",", opened.SidecarLabels));
    }

    private string Copy(Scratch scratch)
    {
        string dir = Path.Combine(scratch.Dir, "store");
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(store.Dir)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    private static string FirstShard(string dir) => Path.Combine(dir, (string)Manifest(dir)["shards"]![0]!["file"]!);
    private static JsonObject Manifest(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!.AsObject();
    private static void EditManifest(string dir, Action<JsonObject> edit)
    {
        var m = Manifest(dir);
        edit(m);
        File.WriteAllText(Path.Combine(dir, "manifest.json"), m.ToJsonString());
    }

    private static void Flip(string file, long at)
    {
        var bytes = File.ReadAllBytes(file);
        bytes[at % bytes.Length] ^= 0x40;
        File.WriteAllBytes(file, bytes);
    }

    /// <summary>Each mutation, and whether only the recorded hashes or whole-manifest validation catch it.</summary>
    private static readonly Dictionary<string, (Action<string> Mutate, bool NeedsIntegrity)> Mutations = new()
    {
        ["manifest not JSON"] = (d => File.WriteAllText(Path.Combine(d, "manifest.json"), "{\"format\": "), false),
        ["manifest empty"] = (d => File.WriteAllText(Path.Combine(d, "manifest.json"), ""), false),
        ["manifest an array"] = (d => File.WriteAllText(Path.Combine(d, "manifest.json"), "[]"), false),
        ["manifest deeply nested"] = (d => File.WriteAllText(Path.Combine(d, "manifest.json"), new string('[', 100_000)), false),
        ["manifest missing"] = (d => File.Delete(Path.Combine(d, "manifest.json")), false),
        ["incomplete"] = (d => EditManifest(d, m => m["complete"] = false), false),
        ["columns wrong"] = (d => EditManifest(d, m => m["columns"] = (int)m["columns"]! + 1), false),
        ["shard truncated"] = (d => { var f = FirstShard(d); File.WriteAllBytes(f, File.ReadAllBytes(f)[..^4]); }, false),
        ["shard deleted"] = (d => File.Delete(FirstShard(d)), false),
        ["shard with trailing bytes"] = (d => { var f = FirstShard(d); File.WriteAllBytes(f, [.. File.ReadAllBytes(f), 1, 2, 3, 4]); }, false),
        ["shard byte flipped"] = (d => Flip(FirstShard(d), 1000), true),
        ["shard all NaN"] = (d => { var f = FirstShard(d); var n = new FileInfo(f).Length; File.WriteAllBytes(f, Enumerable.Range(0, (int)n / 4).SelectMany(_ => BitConverter.GetBytes(float.NaN)).ToArray()); }, true),
        ["tokens.tsv word edited"] = (d => { var f = Directory.GetFiles(d, "tokens*").First(); var t = File.ReadAllText(f); int at = t.IndexOf("the", StringComparison.Ordinal); File.WriteAllText(f, t[..at] + "THE" + t[(at + 3)..]); }, true),
        ["tokens.tsv deleted"] = (d => File.Delete(Directory.GetFiles(d, "tokens*").First()), false),
        ["rowsPerShard 0"] = (d => EditManifest(d, m => m["rowsPerShard"] = 0), true),
        ["first row shifted"] = (d => EditManifest(d, m => m["shards"]![1]!["firstRow"] = (long)m["shards"]![1]!["firstRow"]! + 1), false),
        ["shard listed twice"] = (d => EditManifest(d, m => m["shards"]![1] = m["shards"]![0]!.DeepClone()), false),
        ["shard named ../x"] = (d => EditManifest(d, m => m["shards"]![0]!["file"] = "../" + (string)m["shards"]![0]!["file"]!), false),
        ["shard named /etc/passwd"] = (d => EditManifest(d, m => m["shards"]![0]!["file"] = "/etc/passwd"), true),
        ["total rows huge"] = (d => EditManifest(d, m => m["totalRows"] = long.MaxValue), false),
        ["rows a string"] = (d => EditManifest(d, m => m["shards"]![0]!["rows"] = "128"), false),
        ["negative rows"] = (d => EditManifest(d, m => m["shards"]![0]!["rows"] = -128), false),
        ["format version 99"] = (d => EditManifest(d, m => m["formatVersion"] = 99), false),
    };

    public static TheoryData<string> Detected() => new(Mutations.Where(m => !m.Value.NeedsIntegrity).Select(m => m.Key));
    public static TheoryData<string> DetectedWithIntegrity() => new(Mutations.Where(m => m.Value.NeedsIntegrity).Select(m => m.Key));

    private void Check(string name)
    {
        using var scratch = new Scratch();
        string dir = Copy(scratch);
        Mutations[name].Mutate(dir);
        CleanOrIdentical(dir);
    }

    private void CleanOrIdentical(string dir)
    {
        (float[] Values, string Tokens)? read = null;
        Outcome.CleanErrorOrSuccess(() => read = Use(dir), dir, () =>
        {
            Assert.True(store.Reference.Values.AsSpan().SequenceEqual(read!.Value.Values), "silently wrong: the store opened and its values differ");
            Assert.Equal(store.Reference.Tokens, read!.Value.Tokens);
        });
    }

    [SharedTheory]
    [MemberData(nameof(Detected))]
    public void Broken_store_is_refused_or_reads_back_exactly(string name) => Check(name);

    [SharedTheory]
    [MemberData(nameof(DetectedWithIntegrity))]
    public void Corrupted_store_is_detected_before_use(string name) => Check(name);

    public static TheoryData<int> Seeds(int count) => new(Enumerable.Range(0, count));

    [SharedTheory]
    [MemberData(nameof(Seeds), 20)]
    public void Randomly_damaged_manifest_is_refused_or_reads_back_exactly(int seed)
    {
        var rng = new Random(8000 + seed);
        using var scratch = new Scratch();
        string dir = Copy(scratch);
        string file = Path.Combine(dir, "manifest.json");
        string text = File.ReadAllText(file);
        for (int i = 0, n = rng.Next(1, 3); i < n; i++) text = Mutate.Text(text, rng);
        File.WriteAllText(file, text);
        CleanOrIdentical(dir);
    }
}
