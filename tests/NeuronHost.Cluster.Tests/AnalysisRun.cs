using System.Diagnostics;
using NeuronHost.Core.Reports;
using NeuronHost.Tests.Common;

namespace NeuronHost.Cluster.Tests;

/// <summary>The analysis the cluster tests run: gpt2-mini-brown on the first 240 sentences of
/// UD English-EWT (a slice, so the tests take minutes, not the hour all of train would on 2
/// cores), upos, Probeless and Linear rankings, the linear probe at k = 1, 10, 50.</summary>
internal static class AnalysisRun
{
    public static string WriteYaml(string folder, string output)
    {
        string yaml = Path.Combine(folder, $"analysis-{Path.GetFileName(output)}.yaml");
        File.WriteAllText(yaml, $"""
            model: {SharedAssets.Model("gpt2-mini-brown")}
            corpus:
              path: {SharedAssets.Corpus("ud-english-ewt")}
              format: conllu
              max-sentences: 240
            task:
              name: upos
            layers: [1]
            hook: mlp.hook_post
            rankings:
              - plugin: probeless
              - plugin: linear
            probes:
              - plugin: linear-probe
            k-grid: [1, 10, 50]
            output: {output}
            seed: 1
            """);
        return yaml;
    }

    /// <summary><see cref="WriteYaml"/>'s analysis without the max-activating contexts: the rankings
    /// and the whole probe grid then run where the rows are.</summary>
    public static string WriteGridYaml(string folder, string output)
    {
        string yaml = WriteYaml(folder, output);
        File.AppendAllText(yaml, "\ntop-contexts: 0\n");
        return yaml;
    }

    /// <summary>The same data and task with nothing that needs rows in one place: the Probeless
    /// ranking alone, no probe, no max-activating contexts.</summary>
    public static string WriteProbelessOnlyYaml(string folder, string output)
    {
        string yaml = Path.Combine(folder, $"analysis-{Path.GetFileName(output)}.yaml");
        File.WriteAllText(yaml, $"""
            model: {SharedAssets.Model("gpt2-mini-brown")}
            corpus:
              path: {SharedAssets.Corpus("ud-english-ewt")}
              format: conllu
              max-sentences: 240
            task:
              name: upos
            layers: [1]
            hook: mlp.hook_post
            rankings:
              - plugin: probeless
            top-contexts: 0
            output: {output}
            seed: 1
            """);
        return yaml;
    }

    /// <summary>The rankings of <see cref="WriteYaml"/> (Probeless and Linear) and nothing that
    /// needs rows in one place: the Linear ranking then runs over the rows the silos keep.</summary>
    public static string WriteRankingsOnlyYaml(string folder, string output)
    {
        string yaml = Path.Combine(folder, $"analysis-{Path.GetFileName(output)}.yaml");
        File.WriteAllText(yaml, $"""
            model: {SharedAssets.Model("gpt2-mini-brown")}
            corpus:
              path: {SharedAssets.Corpus("ud-english-ewt")}
              format: conllu
              max-sentences: 240
            task:
              name: upos
            layers: [1]
            hook: mlp.hook_post
            rankings:
              - plugin: probeless
              - plugin: linear
            top-contexts: 0
            output: {output}
            seed: 1
            """);
        return yaml;
    }

    /// <summary>The same neurons in the same order; Linear's scores to the bit (its probe's weights
    /// are), Probeless' to 1e-9 relative (its moments are merged shard by shard, in another order
    /// than one pass adds them).</summary>
    public static void AssertSameRankings(RunResults local, RunResults cluster)
    {
        Assert.Equal(local.Rankings.Select(r => r.Name), cluster.Rankings.Select(r => r.Name));
        foreach (var (l, c) in local.Rankings.Zip(cluster.Rankings))
        {
            Assert.Equal(l.Neurons.Select(n => n.Column), c.Neurons.Select(n => n.Column));
            if (l.Name == "linear") Assert.Equal(l.Neurons.Select(n => n.Score), c.Neurons.Select(n => n.Score));
            else
                foreach (var (a, b) in l.Neurons.Zip(c.Neurons))
                    Assert.True(Math.Abs(a.Score - b.Score) <= 1e-9 * Math.Max(1, Math.Abs(a.Score)), $"{l.Name} {a.Neuron}: {a.Score:R} vs {b.Score:R}");
        }
    }

    public sealed record Outcome(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

    /// <summary>Runs <c>neuronhost ARGS</c> with its own store cache; returns exit code and output.</summary>
    public static async Task<Outcome> Cli(string stores, TimeSpan timeout, Action<string>? onStderrLine = null, params string[] args)
    {
        var psi = new ProcessStartInfo(LocalCluster.Exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        LocalCluster.Environment(psi, stores);
        var clock = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        var err = new System.Text.StringBuilder();
        var @out = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is null) return; lock (err) err.AppendLine(e.Data); onStderrLine?.Invoke(e.Data); };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (@out) @out.AppendLine(e.Data); };
        p.Start();
        p.BeginErrorReadLine(); p.BeginOutputReadLine();
        using (var cts = new CancellationTokenSource(timeout))
        {
            try { await p.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException) { p.Kill(true); throw new TimeoutException($"neuronhost {string.Join(' ', args)} ran over {timeout}:\n{err}"); }
        }
        p.WaitForExit();
        lock (err) lock (@out) return new Outcome(p.ExitCode, @out.ToString(), err.ToString(), clock.Elapsed);
    }

    /// <summary>Rankings identical (same neurons in the same order) and every accuracy of the
    /// grid and the oracle equal to 1e-6.</summary>
    public static void AssertSameResults(RunResults local, RunResults cluster)
    {
        Assert.Equal(local.Rankings.Select(r => r.Name), cluster.Rankings.Select(r => r.Name));
        Assert.Equal(2, local.Rankings.Count);
        foreach (var (l, c) in local.Rankings.Zip(cluster.Rankings))
            Assert.Equal(l.Neurons.Select(n => n.Column), c.Neurons.Select(n => n.Column));
        Assert.NotEmpty(local.Accuracy);
        Assert.Equal(local.Accuracy.Count, cluster.Accuracy.Count);
        foreach (var (l, c) in local.Accuracy.Zip(cluster.Accuracy))
        {
            Assert.Equal((l.Ranking, l.Probe, l.Selection, l.K), (c.Ranking, c.Probe, c.Selection, c.K));
            Close(l.TrainAccuracy, c.TrainAccuracy); Close(l.DevAccuracy, c.DevAccuracy); Close(l.TestAccuracy, c.TestAccuracy);
            Close(l.ControlAccuracy, c.ControlAccuracy);
        }
        foreach (var (l, c) in local.Oracle.Zip(cluster.Oracle)) { Close(l.TestAccuracy, c.TestAccuracy); Close(l.DevAccuracy, c.DevAccuracy); }
    }

    private static void Close(double? a, double? b)
    {
        Assert.Equal(a.HasValue, b.HasValue);
        if (a is double x && b is double y) Assert.True(Math.Abs(x - y) <= 1e-6, $"{x} vs {y}");
    }

    /// <summary>The store's shard files by SHA-256 (from its manifest, which the writer computed over the bytes it wrote).</summary>
    public static List<string> StoreShardHashes(string stores)
    {
        var manifests = Directory.GetFiles(stores, "manifest.json", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(stores, f).StartsWith("cluster-", StringComparison.Ordinal)).ToList();
        Assert.Single(manifests);
        var m = NeuronHost.Data.Store.StoreManifest.Read(manifests[0]);
        return m.Shards.Select(s => s.Sha256).ToList();
    }
}
