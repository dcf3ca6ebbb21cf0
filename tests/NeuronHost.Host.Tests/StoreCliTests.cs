using System.Text.Json.Nodes;
using NeuronHost.Cli;
using NeuronHost.Data.Store;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>Store integrity through the command line, on a real store (gpt2-mini-brown, the first
/// 12 sentences of UD English-EWT dev): a damaged or escaping store makes export, extract and
/// store verify exit 1 with one "error:" line per bad file, and nothing is exported or reused.</summary>
public sealed class StoreCliTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("store-cli-").FullName;
    private string Store => Path.Combine(root, "store");
    private string Export => Path.Combine(root, "export");
    private string CorpusFile => Path.Combine(root, "ewt-dev-12.conllu");

    private static (int Code, string Out, string[] Errors) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, Program.Commands, output, error, new CliContext { OnlyCommandLinePlugins = true });
        return (code, output.ToString(), InProcessCli.MessageLines(error.ToString()));
    }

    private (int Code, string Out, string[] Errors) Extract() =>
        Run("extract", "--model", SharedAssets.Model("gpt2-mini-brown"), "--corpus", CorpusFile, "--task", "upos",
            "--hooks", "mlp.hook_post", "--out", Store);

    /// <summary>Extracts the store (Created) and checks that running it again reuses it.</summary>
    private void Build()
    {
        // the first 12 sentences of EWT dev, cut at the 12th blank line
        var lines = File.ReadLines(SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu")).ToList();
        int end = lines.Select((l, i) => (l, i)).Where(x => x.l.Length == 0).Skip(11).First().i;
        File.WriteAllLines(CorpusFile, lines.Take(end + 1));
        var created = Extract();
        Assert.True(created.Code == 0, string.Join('\n', created.Errors));
        Assert.StartsWith("Created: 223 words", created.Out);
        Assert.StartsWith("Reused", Extract().Out);
    }

    private static void Flip(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    [SharedFact]
    public void Store_verify_passes_a_sound_store_and_names_each_damaged_file()
    {
        Build();
        var ok = Run("store", "verify", Store);
        Assert.Equal(0, ok.Code);
        Assert.Empty(ok.Errors);
        Assert.StartsWith($"OK {Store}: 223 rows × 4096 columns (float32), 1 shard(s) and tokens.tsv", ok.Out.Trim());

        Flip(Path.Combine(Store, "shard-00000.bin"));
        Flip(Path.Combine(Store, "tokens.tsv"));
        var bad = Run("store", "verify", Store);
        Assert.Equal(1, bad.Code);
        Assert.Equal(2, bad.Errors.Length);
        Assert.Contains("shard-00000.bin: damaged", bad.Errors[0]);
        Assert.Contains("tokens.tsv: damaged", bad.Errors[1]);
        Assert.All(bad.Errors, line => Assert.StartsWith("error: ", line));
    }

    [SharedFact]
    public void A_flipped_byte_stops_export_and_extract_reuse_with_one_line()
    {
        Build();
        Flip(Path.Combine(Store, "shard-00000.bin"));

        var export = Run("export", Store, "--out", Export);
        Assert.Equal(1, export.Code);
        Assert.Contains("shard-00000.bin: damaged: its SHA-256", Assert.Single(export.Errors));
        Assert.False(Directory.Exists(Export));

        var extract = Extract();
        Assert.Equal(1, extract.Code);
        Assert.DoesNotContain("Reused", extract.Out);
        Assert.Contains("shard-00000.bin", Assert.Single(extract.Errors));

        // what --no-verify gives up: only lengths are checked, so the damage passes
        var unchecked_ = Run("export", Store, "--out", Export, "--no-verify");
        Assert.Equal(0, unchecked_.Code);
    }

    [SharedFact]
    public void A_shard_reference_leading_outside_is_named_and_never_read()
    {
        Build();
        string canary = Path.Combine(root, "canary.bin");
        var values = new float[new FileInfo(Path.Combine(Store, "shard-00000.bin")).Length / 4];
        Array.Fill(values, 31337.25f);
        File.WriteAllBytes(canary, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        string manifest = Path.Combine(Store, StoreManifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        json["shards"]![0]!["file"] = "../canary.bin";
        json["shards"]![0]!["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(canary)));
        File.WriteAllText(manifest, json.ToJsonString());

        foreach (var args in new[] { new[] { "export", Store, "--out", Export, "--no-verify" }, ["store", "verify", Store] })
        {
            var (code, _, errors) = Run(args);
            Assert.Equal(1, code);
            var line = Assert.Single(errors);
            Assert.Contains("manifest.json: shards[0].file: '../canary.bin' is a path", line);
        }
        Assert.False(Directory.Exists(Export));
        var extract = Extract();
        Assert.Equal(1, extract.Code);
        Assert.Contains("shards[0].file", Assert.Single(extract.Errors));
    }

    [SharedFact]
    public void Extract_into_a_store_being_written_names_the_writer()
    {
        Build();
        var manifest = StoreManifest.Read(Path.Combine(Store, StoreManifest.FileName));
        using (StoreWriter.Open(Store, manifest, File.ReadAllBytes(Path.Combine(Store, "tokens.tsv"))))
        {
            var busy = Extract();
            Assert.Equal(1, busy.Code);
            Assert.Contains($"being written by another process (pid {Environment.ProcessId})", Assert.Single(busy.Errors));
        }
        Assert.StartsWith("Reused", Extract().Out);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
