using System.Globalization;
using System.Text.Json;
using NeuronHost.Core.Reports;
using NeuronHost.Tests.Common;

namespace NeuronHost.Cluster.Tests;

/// <summary>Holds a cluster run's Probeless ranking (computed on the coordinator from the silos'
/// merged class moments) to the local run's plugin and to numpy on the exported train rows.</summary>
internal static class ProbelessReference
{
    public static RankingResult Probeless(RunResults r) => Assert.Single(r.Rankings, x => x.Name == "probeless");

    /// <summary>Same order, and every neuron's score to 1e-9 relative.</summary>
    public static void AssertSame(RankingResult expected, RankingResult actual, string what)
    {
        Assert.Equal(expected.Neurons.Select(n => n.Column), actual.Neurons.Select(n => n.Column));
        foreach (var (e, a) in expected.Neurons.Zip(actual.Neurons))
            Assert.True(Math.Abs(e.Score - a.Score) <= 1e-9 * Math.Abs(e.Score), $"{what}: neuron column {e.Column} scores {a.Score:R}, expected {e.Score:R}");
    }

    /// <summary>Exports the store's train rows of the task (the CLI's <c>export</c>) and computes
    /// Probeless in float64 with numpy: class means, Σ over class pairs of |mean difference|.</summary>
    public static async Task AssertEqualsNumpy(string stores, string storeDir, string export, RankingResult cluster, long trainTokens)
    {
        var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(5), null, "export", storeDir, "--out", export, "--splits", "train", "--task", "upos", "--no-verify");
        Assert.True(run.ExitCode == 0, $"export failed:\n{run.Stderr}");
        string json = PythonReference.RunOrThrow($$"""
            import json, numpy as np
            x = np.load("activations.npy").astype(np.float64)
            y = np.array(json.load(open("labels.json"))["labels"])
            assert x.shape[0] == y.shape[0] and (y >= 0).all()
            means = [x[y == c].mean(axis=0) for c in sorted(set(y.tolist()))]
            s = np.zeros(x.shape[1])
            for a in range(len(means)):
                for b in range(a + 1, len(means)):
                    s += np.abs(means[a] - means[b])
            print(json.dumps({"rows": int(x.shape[0]), "scores": [repr(v) for v in s]}))
            """, TimeSpan.FromMinutes(5), Path.GetFullPath(export));
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(trainTokens, doc.RootElement.GetProperty("rows").GetInt64());
        var numpy = doc.RootElement.GetProperty("scores").EnumerateArray().Select(v => double.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(numpy.Length, cluster.Neurons.Count);
        foreach (var n in cluster.Neurons)
            Assert.True(Math.Abs(n.Score - numpy[n.Column]) <= 1e-9 * Math.Abs(numpy[n.Column]), $"neuron column {n.Column}: cluster {n.Score:R}, numpy {numpy[n.Column]:R}");
        // The order is numpy's up to ties within the tolerance.
        for (int i = 1; i < cluster.Neurons.Count; i++)
            Assert.True(numpy[cluster.Neurons[i].Column] <= numpy[cluster.Neurons[i - 1].Column] * (1 + 1e-9), $"rank {i}: column {cluster.Neurons[i].Column} above numpy's order");
    }

    /// <summary>The store folder under a store cache (not a silo's).</summary>
    public static string StoreDir(string stores) =>
        Path.GetDirectoryName(Assert.Single(Directory.GetFiles(stores, "manifest.json", SearchOption.AllDirectories),
            f => !Path.GetRelativePath(stores, f).StartsWith("cluster-", StringComparison.Ordinal)))!;
}
