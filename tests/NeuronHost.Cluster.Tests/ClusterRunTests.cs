using NeuronHost.Core.Reports;
using Xunit.Abstractions;

namespace NeuronHost.Cluster.Tests;

/// <summary>The same analysis on 3 silo processes (Redis membership on loopback) gives the local
/// run's results: the merged store has the local store's bytes (same shard hashes), the rankings
/// are identical and every accuracy equal to 1e-6. A silo killed with SIGKILL mid-extraction loses
/// its shards to the others, the results are still the local run's, and results.json names the
/// lost silo and the shards taken from it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRunTests(LocalReferenceFixture local, ITestOutputHelper output)
{
    [RedisFact]
    public async Task Three_silos_give_the_local_runs_store_rankings_and_accuracies()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-run-").FullName;
        try
        {
            using var cluster = new LocalCluster(folder);
            // One after the other: three silos joining at once on 2 loaded cores time out each other's join checks.
            await cluster.StartSilo("a"); await cluster.StartSilo("b"); await cluster.StartSilo("c");
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), null,
                "run", AnalysisRun.WriteYaml(folder, outDir), "--cluster", cluster.Address);
            output.WriteLine($"local {local.Elapsed.TotalSeconds:0.0} s, cluster {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}\n{cluster.Logs()}");
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            Assert.Equal(local.ShardHashes, AnalysisRun.StoreShardHashes(stores));
            AnalysisRun.AssertSameResults(local.Results, results);
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Empty(c.LostSilos);
            Assert.Equal(c.Shards, c.Silos.Sum(s => s.Shards.Count));
            Assert.True(c.Silos.Count >= 2, $"only {string.Join(", ", c.Silos.Select(s => s.Name))} extracted");
            Assert.Equal(c.Silos.Sum(s => s.Bytes), c.BytesReceived);
            ProgressLog.AssertPerSiloLines(run.Stderr, c);
            // Probeless came from the silos' class moments, merged in shard order: the plugin's local
            // ranking and scores, and numpy's on the train rows; the rows still came for the rest.
            Assert.Equal(["probeless"], c.RankingsFromMoments);
            // the Linear ranking and the probe grid could run over the rows the silos keep; the max-activating contexts need them here
            Assert.Equal(["the max-activating contexts (top-contexts: 5)"], c.RowsNeededBy);
            Assert.Contains("every row goes to the coordinator: the max-activating contexts (top-contexts: 5) need(s) all rows in one place", run.Stderr);
            Assert.Empty(c.RankingsOverHeldRows);
            Assert.Empty(c.ProbesOverHeldRows);
            Assert.Contains("ranking 'probeless' from the class moments of", run.Stderr);
            Assert.True(c.MomentBytesReceived > 0 && c.LabelBytesSent > 0);
            output.WriteLine($"bytes to the coordinator: rows {c.BytesReceived:N0}, class moments {c.MomentBytesReceived:N0}; train labels to the silos {c.LabelBytesSent:N0}");
            var probeless = ProbelessReference.Probeless(results);
            ProbelessReference.AssertSame(ProbelessReference.Probeless(local.Results), probeless, "cluster vs local");
            await ProbelessReference.AssertEqualsNumpy(stores, ProbelessReference.StoreDir(stores), Path.Combine(folder, "export-train"), probeless, results.Identity.TrainTokens);
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }

    [RedisFact]
    public async Task A_silo_killed_during_extraction_loses_its_shards_and_the_results_stay_the_same()
    {
        string folder = Directory.CreateTempSubdirectory("nh-cluster-kill-").FullName;
        try
        {
            using var cluster = new LocalCluster(folder);
            // The victim finishes one shard and holds its second: killed then, it always dies with a
            // shard in hand (a kill timed by the clock could land between two shards and lose none).
            await cluster.StartSilo("a"); await cluster.StartSilo("b"); await cluster.StartSiloThatHolds("victim", shard: 2);
            string stores = Path.Combine(folder, "stores"), outDir = Path.Combine(folder, "out");
            // `cluster status` is asked twice: while the victim holds its shard (the run cannot have
            // finished extracting, so the answer must list it, victim included), and right after the
            // kill, when the victim is still listed as a gateway: that answer must come all the same.
            AnalysisRun.Outcome? held = null, afterKill = null;
            string statusStores = Path.Combine(folder, "stores-status");
            var watch = Task.Run(async () =>
            {
                await cluster.WaitForLine("victim", LocalCluster.HoldingLine("victim"));
                try { held = await AnalysisRun.Cli(statusStores, TimeSpan.FromMinutes(3), null, "cluster", "status", "--redis", cluster.Address, "--json"); }
                finally { cluster.Kill("victim"); }   // else the run waits for the held shard forever
                afterKill = await AnalysisRun.Cli(statusStores, TimeSpan.FromMinutes(3), null, "cluster", "status", "--redis", cluster.Address);
            });
            var run = await AnalysisRun.Cli(stores, TimeSpan.FromMinutes(10), null,
                "run", AnalysisRun.WriteYaml(folder, outDir), "--cluster", cluster.Address, "--shard-batches", "1");
            output.WriteLine($"cluster run with a kill: {run.Elapsed.TotalSeconds:0.0} s\n{run.Stderr}\n{cluster.Logs()}");
            // Checked before waiting for the watcher: a victim that never held a shard would keep it waiting.
            Assert.True(cluster.Log("victim").Contains(LocalCluster.HoldingLine("victim")), "the victim never reached its second shard, so it was not killed mid-run");
            await watch.WaitAsync(TimeSpan.FromMinutes(4));
            Assert.True(run.ExitCode == 0, $"cluster run failed ({run.ExitCode}):\n{run.Stderr}");
            var results = ResultsJson.Load(Path.Combine(outDir, ReportFolder.ResultsFile));
            Assert.Equal(local.ShardHashes, AnalysisRun.StoreShardHashes(stores));
            AnalysisRun.AssertSameResults(local.Results, results);
            var c = Assert.IsType<ClusterRunResult>(results.Cluster);
            Assert.Equal(["victim"], c.LostSilos);
            Assert.NotEmpty(c.ReassignedShards);
            Assert.All(c.ReassignedShards, r => { Assert.Equal("victim", r.FromSilo); Assert.Contains(r.ToSilo, new[] { "a", "b" }); });
            Assert.Contains("silo victim left the cluster", run.Stderr);
            ProgressLog.AssertPerSiloLines(run.Stderr, c);
            Assert.True(held!.ExitCode == 0, $"`cluster status` while the victim held its shard failed ({held.ExitCode}):\n{held.Stderr}");
            output.WriteLine($"cluster status while the victim held shard {c.ReassignedShards[0].Shard} ({held.Elapsed.TotalSeconds:0.0} s):\n{held.Stdout}");
            ProgressLog.AssertStatusShowsTheRun(held.Stdout, c, ["a", "b", "victim"]);
            using (var doc = System.Text.Json.JsonDocument.Parse(held.Stdout))
            {
                var victim = doc.RootElement.GetProperty("runs")[0].GetProperty("bySilo").EnumerateArray().Single(v => v.GetProperty("silo").GetString() == "victim");
                Assert.Equal(System.Text.Json.JsonValueKind.String, victim.GetProperty("running").ValueKind);   // the shard it holds
            }
            Assert.True(afterKill!.ExitCode == 0, $"`cluster status` right after the kill failed ({afterKill.ExitCode}) after {afterKill.Elapsed.TotalSeconds:0.0} s:\n{afterKill.Stderr}");
            output.WriteLine($"cluster status right after the kill ({afterKill.Elapsed.TotalSeconds:0.0} s):\n{afterKill.Stdout}");
        }
        finally { try { Directory.Delete(folder, true); } catch (IOException) { } }
    }
}
