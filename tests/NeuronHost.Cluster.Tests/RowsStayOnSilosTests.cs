using NeuronHost.Core.Reports;
using Xunit.Abstractions;

namespace NeuronHost.Cluster.Tests;

/// <summary>An analysis whose every plugin runs from class moments (Probeless alone) sends no row
/// to the coordinator: the silos send their shards' train-row class moments, the coordinator
/// merges them in shard order, and the ranking is the local plugin's (same order, scores to 1e-9
/// relative) and numpy's on the local store's exported train rows.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RowsStayOnSilosTests(LocalReferenceFixture local, ITestOutputHelper output)
{
    [RedisFact]
    public async Task Probeless_alone_runs_from_the_silos_class_moments_and_no_row_reaches_the_coordinator()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-moments-").FullName;
        try
        {
            using var cluster = new LocalCluster(folder);
            await cluster.StartSilo("a"); await cluster.StartSilo("b");
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), null,
                "run", AnalysisRun.WriteProbelessOnlyYaml(folder, outDir), "--cluster", cluster.Address, "--shard-batches", "2");
            output.WriteLine($"cluster {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}\n{cluster.Logs()}");
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Equal(0, c.BytesReceived);
            Assert.Empty(c.RowsNeededBy);
            Assert.Equal(["probeless"], c.RankingsFromMoments);
            Assert.True(c.MomentBytesReceived > 0);
            Assert.Equal(c.Shards, c.Silos.Sum(s => s.Shards.Count));
            Assert.Contains("no row leaves the silos", run.Stderr);
            // No store was written on the coordinator (the silos' folders are theirs).
            Assert.False(Directory.Exists(stores) && Directory.GetFiles(stores, "manifest.json", SearchOption.AllDirectories)
                .Any(f => !Path.GetRelativePath(stores, f).StartsWith("cluster-", StringComparison.Ordinal)), "the coordinator wrote a store");
            output.WriteLine($"bytes to the coordinator: rows {c.BytesReceived:N0}, class moments {c.MomentBytesReceived:N0} ({c.Shards} shards); train labels to the silos {c.LabelBytesSent:N0}");
            Assert.Equal(local.Results.Identity.TrainTokens, results.Identity.TrainTokens);
            var probeless = ProbelessReference.Probeless(results);
            ProbelessReference.AssertSame(ProbelessReference.Probeless(local.Results), probeless, "cluster vs local");
            await ProbelessReference.AssertEqualsNumpy(local.Stores, ProbelessReference.StoreDir(local.Stores), Path.Combine(folder, "export-train"),
                probeless, results.Identity.TrainTokens);
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }
}
